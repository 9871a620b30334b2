import { describe, expect, it } from 'vitest';
import { FilmroomError } from '../common/errors.ts';
import { packBatchArtifact, unpackBatchArtifact } from './batch-artifact.ts';
import { createFrameSource, frameSourceMetrics } from './frame-source.ts';
import { InMemoryObjectStore } from './in-memory-object-store.ts';
import { putSyntheticBatch } from './synthetic-batches.ts';

const bucket = 'artifacts';
const counted = async () => ({
  fetches: (await frameSourceMetrics.fetches.get()).values[0]?.value ?? 0,
  decodes: (await frameSourceMetrics.decodes.get()).values[0]?.value ?? 0,
  hits: (await frameSourceMetrics.cacheHits.get()).values[0]?.value ?? 0,
});
const since = async (before: Awaited<ReturnType<typeof counted>>) => {
  const now = await counted();
  return { fetches: now.fetches - before.fetches, decodes: now.decodes - before.decodes, hits: now.hits - before.hits };
};

describe('the frame source', () => {
  it('given 4 stages asking for the same batch one after another, fetches and decodes it once', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket, videoId: 'v', batchIndex: 0, frameCount: 3 });
    const source = createFrameSource({ objectStore: store, cacheBatches: 4 });
    const before = await counted();

    const answers = [];
    for (const stage of ['detect', 'ocr', 'checks', 'render']) answers.push([stage, await source.frames(uri)] as const);

    expect(store.requests.get).toBe(1);
    expect(await since(before)).toEqual({ fetches: 1, decodes: 1, hits: 3 });
    for (const [, decoded] of answers) expect(decoded).toBe(answers[0]![1]);
    const first = answers[0]![1];
    expect(first.map((f) => [f.frameIndex, f.timestampS])).toEqual(frames.map((f) => [f.frameIndex, f.timestampS]));
    expect(first[0]!.jpeg.equals(frames[0]!.jpeg)).toBe(true);
    expect(first[0]!.rgb).toMatchObject({ width: 64, height: 36 });
    expect(first[0]!.rgb.data.length).toBe(64 * 36 * 3);
  });

  it('given requests for a batch while it is still being fetched, shares that one fetch and decode', async () => {
    const store = new InMemoryObjectStore();
    const { uri } = await putSyntheticBatch(store, { bucket, videoId: 'v', batchIndex: 0, frameCount: 2 });
    const source = createFrameSource({ objectStore: store, cacheBatches: 2 });
    const before = await counted();

    const all = await Promise.all([source.frames(uri), source.frames(uri), source.frames(uri), source.frames(uri)]);

    expect(store.requests.get).toBe(1);
    expect(await since(before)).toMatchObject({ fetches: 1, decodes: 1 });
    expect(new Set(all).size).toBe(1);
  });

  it('keeps at most the configured number of batches: the least recently used goes first', async () => {
    const store = new InMemoryObjectStore();
    const uris = [];
    for (let b = 0; b < 3; b++) uris.push((await putSyntheticBatch(store, { bucket, videoId: 'v', batchIndex: b, frameCount: 1 })).uri);
    const source = createFrameSource({ objectStore: store, cacheBatches: 2 });
    const [b0, b1, b2] = uris as [string, string, string];

    await source.frames(b0);
    await source.frames(b1);
    await source.frames(b0); // b0 is now the most recent
    await source.frames(b2); // evicts b1
    expect(store.requests.get).toBe(3);
    await source.frames(b0);
    await source.frames(b2);
    expect(store.requests.get).toBe(3);
    await source.frames(b1);
    expect(store.requests.get).toBe(4);
  });

  it('with a cache of 0 batches, fetches and decodes on every request, concurrent ones included (as before the frame source)', async () => {
    const store = new InMemoryObjectStore();
    const { uri } = await putSyntheticBatch(store, { bucket, videoId: 'v', batchIndex: 0, frameCount: 1 });
    const source = createFrameSource({ objectStore: store, cacheBatches: 0 });
    const before = await counted();

    await Promise.all([source.frames(uri), source.frames(uri)]);
    await source.frames(uri);
    await source.frames(uri);

    expect(store.requests.get).toBe(4);
    expect(await since(before)).toEqual({ fetches: 4, decodes: 4, hits: 0 });
  });

  it('given a corrupt artifact, fails with the same permanent error as unpacking it directly, and keeps no failed load', async () => {
    const store = new InMemoryObjectStore();
    const location = { bucket, key: 'videos/v/batches/batch-00000.tar' };
    const garbage = Buffer.from('this is not a tar archive'.repeat(40));
    await store.put(location, garbage, 'application/x-tar');
    const source = createFrameSource({ objectStore: store, cacheBatches: 4 });
    const uri = `s3://${bucket}/${location.key}`;

    const failure = await source.frames(uri).catch((error: unknown) => error);
    const direct = await unpackBatchArtifact(garbage, uri).then(
      () => new Error('unpacked'),
      (error: unknown) => error as FilmroomError,
    );
    expect(failure).toBeInstanceOf(FilmroomError);
    expect(failure).toMatchObject({ code: 'MALFORMED_EVENT', retriable: false, message: direct.message });
    expect(direct.message).toContain(uri);

    await source.frames(uri).catch(() => {});
    expect(store.requests.get).toBe(2);
  });

  it('given an artifact whose JPEG is corrupt, names the frame and the artifact (MALFORMED_EVENT, permanent)', async () => {
    const store = new InMemoryObjectStore();
    const location = { bucket, key: 'videos/v/batches/batch-00001.tar' };
    await store.put(location, await packBatchArtifact('v', 1, [{ frameIndex: 30, timestampS: 1, jpeg: Buffer.from('not a jpeg') }]), 'application/x-tar');
    const source = createFrameSource({ objectStore: store, cacheBatches: 4 });

    await expect(source.frames(`s3://${bucket}/${location.key}`)).rejects.toMatchObject({
      code: 'MALFORMED_EVENT',
      retriable: false,
      message: expect.stringContaining(`frame 30 of s3://${bucket}/${location.key} is not a readable image`),
    });
  });

  it('given a missing artifact, fails with SOURCE_NOT_FOUND', async () => {
    const source = createFrameSource({ objectStore: new InMemoryObjectStore(), cacheBatches: 4 });
    await expect(source.frames(`s3://${bucket}/videos/v/batches/batch-00009.tar`)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND', retriable: false });
  });
});
