import { sourceFingerprint } from './source-fingerprint.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { InMemoryEventPublisher } from '../../streams/event-publisher.ts';
import { ingestBulk, planBulkIngest, summarise, summaryLines, type BulkIngestRequest } from './bulk-ingest.ts';
import { parseTaskList } from './ingest-sources.ts';

const now = () => 1_700_000_000_000;

async function given(keys: string[]) {
  const objectStore = new InMemoryObjectStore();
  for (const key of keys) await objectStore.put({ bucket: 'games', key }, Buffer.from('video'), 'video/mp4');
  await objectStore.put({ bucket: 'games', key: '2024/01/empty.mp4' }, Buffer.alloc(0), 'video/mp4');
  const known = new Map<string, string>();
  const publisher = new InMemoryEventPublisher((outputs) =>
    outputs.forEach((o) => known.set((o.value as { video_id: string }).video_id, (o.value as { run_id: string }).run_id)),
  );
  return {
    objectStore,
    publisher,
    known,
    ports: { objectStore, publisher, now, currentRuns: async (ids: readonly string[]) => new Map([...known].filter(([id]) => ids.includes(id))) },
  };
}

const request = (text: string, overrides: Partial<BulkIngestRequest> = {}): BulkIngestRequest => ({
  items: parseTaskList(text),
  baseDir: '/lists',
  allowLocal: true,
  uploadsBucket: 'uploads',
  options: { batch_size: 10 },
  sessionMetadata: { season: '2024' },
  uploader: 'cli',
  producer: { name: 'cli', version: '0.1.0' },
  ...overrides,
});

describe('bulk ingestion', () => {
  it('ingests what exists, skips repeats and known videos, refuses the rest with a reason each, in list order', async () => {
    const { ports, publisher, known } = await given(['2024/01/a.tar', '2024/01/b.mp4', '2024/02/c.tar']);
    const list = [
      's3://games/2024/01/a.tar',
      's3://games/2024/01/missing.mp4',
      '# a comment',
      's3://games/2024/01/b.mp4',
      'http://elsewhere/x.mp4',
      's3://games/2024/01/a.tar',
      's3://games/2024/01/empty.mp4',
      's3://nobucket/2024/x.mp4',
      's3://games/2024/02/c.tar',
    ].join('\n');
    const listings = () => ports.objectStore.requests.list;
    const results = await ingestBulk(ports, request(list));
    expect(results.map((r) => [r.where, r.outcome])).toEqual([
      ['line 1', 'ingested'],
      ['line 2', 'refused'],
      ['line 4', 'ingested'],
      ['line 5', 'refused'],
      ['line 6', 'skipped'],
      ['line 7', 'refused'],
      ['line 8', 'refused'],
      ['line 9', 'ingested'],
    ]);
    expect(results.map((r) => r.reason)).toEqual([
      undefined,
      'no such object',
      undefined,
      "only local paths, s3:// and file:// are accepted (got 'http://elsewhere/x.mp4')",
      'listed again (as line 1)',
      'empty (0 bytes)',
      'no such object',
      undefined,
    ]);
    // One listing per folder, not one request per key.
    expect(listings()).toBe(3);
    const events = publisher.of('video-ingested');
    expect(events.map((e) => [e.value.video_id.replace(/-[0-9a-f]{10}$/, ''), e.value.container])).toEqual([
      ['2024.01.a', 'TAR_BUNDLE'],
      ['2024.01.b', 'VIDEO'],
      ['2024.02.c', 'TAR_BUNDLE'],
    ]);
    expect(events.every((e) => e.value.options.batch_size === 10 && e.value.session_metadata.season === '2024')).toBe(true);
    expect(summarise(results)).toEqual({ ingested: 3, skipped: 1, refused: 4 });
    expect(known.size).toBe(3);

    const again = await ingestBulk(ports, request(list));
    expect(summarise(again)).toEqual({ ingested: 0, skipped: 4, refused: 4 });
    expect(again[0]).toMatchObject({ outcome: 'skipped', reason: 'already ingested (same source and options)' });
    expect(publisher.published).toHaveLength(3);
  });

  it('uploads local files (relative to the list) only after every item was checked, and publishes their uploaded URI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'filmroom-bulk-'));
    writeFileSync(join(dir, 'game.mp4'), 'video');
    const { ports, publisher, objectStore } = await given([]);
    const plans = await planBulkIngest(objectStore, request('game.mp4\nnothere.mp4', { baseDir: dir }));
    expect(objectStore.requests.upload).toBe(0);
    expect(plans.map((p) => p.result?.reason)).toEqual([undefined, `no such file: ${join(dir, 'nothere.mp4')}`]);
    const results = await ingestBulk(ports, request('game.mp4\nnothere.mp4', { baseDir: dir }));
    expect(objectStore.requests.upload).toBe(1);
    const event = publisher.of('video-ingested')[0]!.value;
    expect(event.source_uri).toBe(`s3://uploads/uploads/${event.video_id}/game.mp4`);
    expect(results[0]).toMatchObject({ outcome: 'ingested', sourceUri: event.source_uri });
  });

  it('over HTTP refuses local paths and file:// URIs item by item', async () => {
    const { ports, publisher } = await given(['a.mp4']);
    const results = await ingestBulk(ports, request('s3://games/a.mp4\n/etc/passwd\nfile:///etc/passwd', { allowLocal: false }));
    expect(results.map((r) => r.outcome)).toEqual(['ingested', 'refused', 'refused']);
    expect(results[1]!.reason).toMatch(/^only object-store sources/);
    expect(publisher.published).toHaveLength(1);
  });

  it('bad options refuse the whole request before anything is read or published', async () => {
    const { ports, publisher } = await given(['a.mp4']);
    await expect(ingestBulk(ports, request('s3://games/a.mp4', { options: { batch_size: 0 } }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(ports.objectStore.requests.list).toBe(0);
    expect(publisher.published).toEqual([]);
  });

  it('a publish failure refuses the items it concerns and those after it, without trying again', async () => {
    const { ports } = await given(['a.mp4', 'b.mp4']);
    const failing = { ...ports, publisher: { publish: async () => Promise.reject(new Error('broker down')), redrive: async () => {}, close: async () => {} } };
    const results = await ingestBulk(failing, request('s3://games/a.mp4\ns3://games/b.mp4'));
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ['refused', 'not published: broker down'],
      ['refused', 'not published: broker down'],
    ]);
  });

  it('the summary: one line per item not ingested, then the counts', () => {
    const lines = summaryLines([
      { where: 'line 1', source: 's3://b/a.tar', outcome: 'ingested', videoId: 'a' },
      { where: 'line 2', source: 's3://b/a.tar', outcome: 'skipped', reason: 'listed again (as line 1)' },
      { where: '2024/x.tar', source: 's3://b/2024/x.tar', outcome: 'refused', reason: 'no such object' },
    ]);
    expect(lines).toEqual([
      'skipped line 2 (s3://b/a.tar): listed again (as line 1)',
      'refused 2024/x.tar (s3://b/2024/x.tar): no such object',
      'ingested 1, skipped 1 as unchanged (already ingested or listed twice), refused 1 — 3 item(s)',
    ]);
  });
});

describe('bulk ingestion names runs from the listings', () => {
  it('fingerprints listed objects from their listing (one LIST per folder, no HEAD per key), the same as a HEAD would', async () => {
    const { ports, publisher, objectStore } = await given(['2024/03/a.mp4', '2024/03/b.mp4']);
    const results = await ingestBulk(ports, request('s3://games/2024/03/a.mp4\ns3://games/2024/03/b.mp4'));
    expect(summarise(results)).toMatchObject({ ingested: 2 });
    expect(objectStore.requests.stat).toBe(0);
    const [a] = publisher.of('video-ingested');
    expect(a!.value.source_fingerprint).toBe(await sourceFingerprint(objectStore, 's3://games/2024/03/a.mp4'));
  });
});
