import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import type { BatchExtracted, ExtractSegmentRequested } from '../../schemas/index.ts';
import { batchArtifactKey } from '../../storage/batch-artifact.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { handlerContext } from '../handler-fixtures.ts';
import { videoIngestedOf } from '../ingest/video-ingested.ts';
import { createExtractProcessor, createExtractSegmentsProcessor } from './index.ts';

// 12 s at 25 fps with a keyframe every 37 frames (and B-frames): sampled at 5 fps (stride 5) in batches
// of 4, 15 batches of 0.8 s. Segments of 2 s hold 2 batches (40 frames), so most segments start
// between two keyframes and their decoding must seek back to the one before.
let video: Buffer;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'filmroom-segments-unit-'));
  try {
    const path = join(dir, 'gop37.mp4');
    execFileSync('ffmpeg', [
      ...['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25:duration=12'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-x264-params', 'keyint=37:min-keyint=37:scenecut=0', '-pix_fmt', 'yuv420p', path],
    ]);
    video = readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const configWith = (segmentSeconds: number) =>
  loadConfig({ FILMROOM_S3_BUCKET_ARTIFACTS: 'artifacts', FILMROOM_EXTRACT_TMP_DIR: tmpdir(), FILMROOM_EXTRACT_SEGMENT_SECONDS: String(segmentSeconds) });
const input = videoIngestedOf({
  videoId: 'long',
  sourceUri: 's3://uploads/long.mp4',
  options: { sample_fps: 5, batch_size: 4, stages: ['EXTRACT'] },
  uploader: 'test',
  producer: { name: 'test', version: '1' },
  now: 1,
}).value;
const artifact = (store: InMemoryObjectStore, batch: number) => store.objects.get(`artifacts/${batchArtifactKey('long', input.run_id, batch)}`)?.body;

async function storeWithVideo() {
  const store = new InMemoryObjectStore();
  await store.put({ bucket: 'uploads', key: 'long.mp4' }, video, 'video/mp4');
  store.requests.put = 0;
  return store;
}

async function planned(store: InMemoryObjectStore, segmentSeconds: number) {
  const context = handlerContext<'batch-extracted' | 'extract-segment-requested' | 'processing-failed'>();
  const returned = await createExtractProcessor({ objectStore: store, config: configWith(segmentSeconds) }).handle(input, context);
  return { returned, emitted: context.emitted };
}

async function extractSegment(store: InMemoryObjectStore, request: ExtractSegmentRequested) {
  const context = handlerContext<'batch-extracted' | 'processing-failed'>();
  const returned = await createExtractSegmentsProcessor({ objectStore: store, config: configWith(2) }).handle(request, context);
  return { returned, batches: context.emitted.map((o) => o.value as BatchExtracted) };
}

/** A batch event without its processing time: what must be equal between runs. */
const timeless = ({ occurred_at: _, ...rest }: BatchExtracted) => rest;

describe('segmented extraction (in-memory ports, a real video)', () => {
  it('given a video longer than the segment length, plans segments and extracts nothing itself', async () => {
    const store = await storeWithVideo();
    const { returned, emitted } = await planned(store, 2);
    expect(emitted).toEqual([]);
    expect(store.requests.put).toBe(0);
    expect(returned.map((o) => o.event)).toEqual(Array(8).fill('extract-segment-requested'));
    expect(returned.map((o) => [(o.value as ExtractSegmentRequested).batch_start, (o.value as ExtractSegmentRequested).batch_end])).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
      [6, 8],
      [8, 9],
      [9, 11],
      [11, 13],
      [13, 15],
    ]);
  }, 60_000);

  it('extracts, segment by segment in any order, exactly the batches, events and JPEG bytes of the unsegmented run', async () => {
    const whole = await storeWithVideo();
    const unsegmented = await planned(whole, 0);
    const reference = unsegmented.emitted.map((o) => o.value as BatchExtracted);
    expect(reference).toHaveLength(15);

    const store = await storeWithVideo();
    const requests = (await planned(store, 2)).returned.map((o) => o.value as ExtractSegmentRequested);
    const batches: BatchExtracted[] = [];
    for (const request of [...requests].reverse()) {
      const { returned, batches: emitted } = await extractSegment(store, request);
      expect(returned).toEqual([]);
      expect(emitted.map((b) => b.batch_index)).toEqual(Array.from({ length: request.batch_end - request.batch_start }, (_, i) => request.batch_start + i));
      batches.push(...emitted);
    }
    batches.sort((a, b) => a.batch_index - b.batch_index);
    expect(batches.map(timeless)).toEqual(reference.map(timeless));
    for (let b = 0; b < 15; b++) expect(artifact(store, b)?.equals(artifact(whole, b)!), `batch ${b} artifact`).toBe(true);
  }, 120_000);

  it('resumes a segment at its first missing batch: batches already stored are re-announced, not decoded or stored again', async () => {
    const store = await storeWithVideo();
    const requests = (await planned(store, 2)).returned.map((o) => o.value as ExtractSegmentRequested);
    const last = requests.at(-1)!; // batches 13 and 14
    await extractSegment(store, last);
    const first = artifact(store, 13)!;
    await store.delete({ bucket: 'artifacts', key: batchArtifactKey('long', input.run_id, 14) });
    store.requests.put = 0;

    const { batches } = await extractSegment(store, last);

    expect(store.requests.put).toBe(1);
    expect(artifact(store, 13)).toBe(first);
    expect(batches.map((b) => [b.batch_index, b.frame_indices])).toEqual([
      [13, [260, 265, 270, 275]],
      [14, [280, 285, 290, 295]],
    ]);
  }, 60_000);
});
