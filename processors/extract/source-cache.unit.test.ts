import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { createSourceCache, openSourceCache } from './source-cache.ts';

describe('the extract source cache', () => {
  let root: string;
  let store: InMemoryObjectStore;
  const game = 's3://uploads/game.mp4';
  const put = (key: string, body: string) => store.put({ bucket: 'uploads', key }, Buffer.from(body), 'video/mp4');
  /** Files the cache holds on disk now. */
  const kept = async () => {
    const [dir] = (await readdir(root)).filter((name) => name.startsWith(`filmroom-sources-${process.pid}-`));
    return dir ? (await readdir(join(root, dir))).sort() : [];
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'source-cache-'));
    store = new InMemoryObjectStore();
    await put('game.mp4', 'a'.repeat(100));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('downloads a source once for every holder, at once or later, and keeps it after release', async () => {
    const cache = createSourceCache({ objectStore: store, root, maxBytes: 1000 });
    const [first, second] = await Promise.all([cache.acquire(game), cache.acquire(game)]);
    expect(store.requests.download).toBe(1);
    expect(second.path).toBe(first.path);
    expect([first.downloaded, second.downloaded].sort()).toEqual([false, true]);
    await first.release();
    await second.release();
    const third = await cache.acquire(game);
    expect(third).toMatchObject({ path: first.path, downloaded: false });
    expect(readFileSync(third.path, 'utf8')).toBe('a'.repeat(100));
    expect(store.requests.download).toBe(1);
  });

  it('downloads again once the object is replaced (another ETag)', async () => {
    const cache = createSourceCache({ objectStore: store, root, maxBytes: 1000 });
    await (await cache.acquire(game)).release();
    await put('game.mp4', 'b'.repeat(100));
    const again = await cache.acquire(game);
    expect(again.downloaded).toBe(true);
    expect(readFileSync(again.path, 'utf8')).toBe('b'.repeat(100));
    expect(store.requests.download).toBe(2);
  });

  it('removes the least recently used sources no one holds once past its bytes, never a held one', async () => {
    await put('b.mp4', 'b'.repeat(100));
    await put('c.mp4', 'c'.repeat(100));
    const cache = createSourceCache({ objectStore: store, root, maxBytes: 250 });
    const a = await cache.acquire(game);
    const b = await cache.acquire('s3://uploads/b.mp4');
    await b.release();
    await a.release(); // used after b: b goes first
    const c = await cache.acquire('s3://uploads/c.mp4');
    expect(await kept()).toEqual(['source-1', 'source-3']);
    expect(existsSync(b.path)).toBe(false);
    // Over its bytes with every source held: nothing removed until released.
    const cache2 = createSourceCache({ objectStore: store, root, maxBytes: 0 });
    const held = await cache2.acquire(game);
    expect(existsSync(held.path)).toBe(true);
    await held.release();
    expect(existsSync(held.path)).toBe(false);
    await c.release();
    await cache.close();
    await cache2.close();
    expect(await readdir(root)).toEqual([]);
  });

  it('fails a missing object with the store’s error and keeps nothing; reads file:// in place', async () => {
    const cache = createSourceCache({ objectStore: store, root, maxBytes: 1000 });
    await expect(cache.acquire('s3://uploads/missing.mp4')).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    expect(await kept()).toEqual([]);
    await put('missing.mp4', 'late');
    expect((await cache.acquire('s3://uploads/missing.mp4')).downloaded).toBe(true);

    const local = join(root, 'local.mp4');
    await writeFile(local, 'local');
    expect(await cache.acquire(pathToFileURL(local).href)).toMatchObject({ path: local, downloaded: false });
    await expect(cache.acquire('http://example.invalid/x.mp4')).rejects.toMatchObject({ code: 'MALFORMED_EVENT' });
  });

  it('opens in the extract work folder after removing the folders of processes that are gone', async () => {
    for (const name of ['filmroom-extract-999999999-abc', 'filmroom-sources-999999999-def', `filmroom-extract-${process.pid}-ghi`, 'other'])
      await mkdir(join(root, name));
    const { sources, removed } = await openSourceCache({ objectStore: store, config: { extract: { tmpDir: root, sourceCacheBytes: 1000 } } });
    expect(removed.sort()).toEqual(['filmroom-extract-999999999-abc', 'filmroom-sources-999999999-def']);
    await (await sources.acquire(game)).release();
    expect(await kept()).toEqual(['source-1']);
  });
});
