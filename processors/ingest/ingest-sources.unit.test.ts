import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { classifySource, listPrefix, parseS3Prefix, parseTaskList, walkVideoFolder } from './ingest-sources.ts';

describe('the sources of a bulk ingestion', () => {
  it('a task list: one source per line, numbered as in the file; # comments and blank lines skipped', () => {
    const text = '# january\ns3://games/2024/01/a.tar\n\n  videos/b.mp4  \r\n# done\ns3://games/2024/01/c.mp4\n';
    expect(parseTaskList(text)).toEqual([
      { where: 'line 2', source: 's3://games/2024/01/a.tar' },
      { where: 'line 4', source: 'videos/b.mp4' },
      { where: 'line 6', source: 's3://games/2024/01/c.mp4' },
    ]);
    expect(parseTaskList('')).toEqual([]);
  });

  it('a source is an S3 object, a file:// URI or a local path (relative to the list); other schemes are refused by name', () => {
    expect(classifySource('s3://b/2024/x.tar', '/lists')).toEqual({ kind: 's3', uri: 's3://b/2024/x.tar', location: { bucket: 'b', key: '2024/x.tar' } });
    expect(classifySource('file:///data/x.mp4', '/lists')).toEqual({ kind: 'file', uri: 'file:///data/x.mp4', path: '/data/x.mp4' });
    expect(classifySource('videos/x.mp4', '/lists')).toEqual({ kind: 'local', path: '/lists/videos/x.mp4' });
    expect(classifySource('/abs/x.mp4', '/lists')).toEqual({ kind: 'local', path: '/abs/x.mp4' });
    expect(() => classifySource('http://host/x.mp4', '/')).toThrow("only local paths, s3:// and file:// are accepted (got 'http://host/x.mp4')");
    expect(() => classifySource('gs://b/x.mp4', '/')).toThrow(/only local paths, s3:\/\/ and file:\/\//);
    expect(() => classifySource('s3://bucket-only', '/')).toThrow(/names one object/);
  });

  it('a folder: every video and .tar bundle under it, recursively, sorted; hidden entries, other files and links left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'filmroom-walk-'));
    for (const path of ['2024/02/b.tar', '2024/01/z.mp4', '2024/01/a.MOV', 'notes.txt', 'a/.hidden.mp4', '.git/x.mp4', 'top.mkv']) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), 'x');
    }
    symlinkSync(join(dir, 'top.mkv'), join(dir, 'link.mp4'));
    const items = await walkVideoFolder(dir);
    expect(items.map((i) => i.where)).toEqual(['2024/01/a.MOV', '2024/01/z.mp4', '2024/02/b.tar', 'top.mkv']);
    expect(items[0]!.source).toBe(join(dir, '2024/01/a.MOV'));
  });

  it('an S3 prefix: its videos and bundles through the ObjectStore port, sorted, with sizes; other objects counted', async () => {
    const store = new InMemoryObjectStore();
    for (const key of ['2024/01/b.tar', '2024/01/a.mp4', '2024/01/a.json', '2024/01/', '2024/02/c.tar', '2023/12/d.tar'])
      await store.put({ bucket: 'games', key }, Buffer.from('abc'), 'application/octet-stream');
    const listed = await listPrefix(store, 's3://games/2024/');
    expect(listed.items).toEqual([
      { where: '2024/01/a.mp4', source: 's3://games/2024/01/a.mp4', size: 3, fingerprint: expect.stringMatching(/^etag:[0-9a-f]{32} size:3$/) },
      { where: '2024/01/b.tar', source: 's3://games/2024/01/b.tar', size: 3, fingerprint: expect.stringMatching(/^etag:[0-9a-f]{32} size:3$/) },
      { where: '2024/02/c.tar', source: 's3://games/2024/02/c.tar', size: 3, fingerprint: expect.stringMatching(/^etag:[0-9a-f]{32} size:3$/) },
    ]);
    expect(listed.otherObjects).toBe(1);
    expect((await listPrefix(store, 's3://games')).items).toHaveLength(4);
    await expect(listPrefix(store, 's3://games/2024')).rejects.toThrow(/ending in '\/'/);
  });

  it('tells prefixes from objects: a trailing slash or a bare bucket', () => {
    expect(parseS3Prefix('s3://b/2024/01/')).toEqual({ bucket: 'b', prefix: '2024/01/' });
    expect(parseS3Prefix('s3://b/')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseS3Prefix('s3://b')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseS3Prefix('s3://b/2024/x.tar')).toBeUndefined();
    expect(parseS3Prefix('/local/dir/')).toBeUndefined();
  });
});
