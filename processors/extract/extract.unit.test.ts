import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { batchKey } from '../../schemas/envelope.ts';
import type { BatchExtracted, ContainerKind, ProcessingOptions, VideoIngested } from '../../schemas/index.ts';
import { batchArtifactKey, unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { generateCameraVideo } from '../../test/support/game-fixture.ts';
import { handlerContext } from '../handler-fixtures.ts';
import { videoIngestedOf } from '../ingest/video-ingested.ts';
import { createExtractProcessor } from './index.ts';

const config = loadConfig({ FILMROOM_S3_BUCKET_ARTIFACTS: 'artifacts', FILMROOM_EXTRACT_TMP_DIR: tmpdir() });
/** Where a batch of this ingestion's run is stored. */
const artifactKey = (input: VideoIngested, batchIndex: number) => `artifacts/${batchArtifactKey(input.video_id, input.run_id, batchIndex)}`;

// The camera video of the game fixture: 320×180, 10 fps, 3 s = 30 frames. Sampled at 2 fps (stride 5)
// in batches of 4: batch 0 holds frames 0, 5, 10, 15 and batch 1 frames 20, 25.
const options: Partial<ProcessingOptions> = { sample_fps: 2, batch_size: 4, stages: ['EXTRACT', 'DETECT'] };
let video: Buffer;
// The same video cut inside frame 6: at 10 fps sampling (stride 1) frames 0-5 decode, in batch 0 (0-3) and part of batch 1 (4, 5).
let truncated: Buffer;
// The same video cut cleanly before frame 12: its index still declares 3 s, 1.2 s of frames remain and all of them decode.
let cutShort: Buffer;

/** The video with its index moved first, cut in the middle of video packet `packet`: the frames before it decode, that one does not. */
function cutInsidePacket(dir: string, path: string, packet: number, keep: (size: number) => number = (size) => Math.floor(size / 2)): Buffer {
  const faststart = join(dir, 'faststart.mp4');
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', path, '-c', 'copy', '-movflags', '+faststart', faststart]);
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pos,size', '-of', 'json', faststart], {
    encoding: 'utf8',
  });
  const { pos, size } = (JSON.parse(probe) as { packets: { pos: string; size: string }[] }).packets[packet]!;
  return readFileSync(faststart).subarray(0, Number(pos) + keep(Number(size)));
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'filmroom-extract-unit-'));
  try {
    const path = generateCameraVideo(dir, 'FAR_LEFT', 3);
    video = readFileSync(path);
    truncated = cutInsidePacket(dir, path, 6);
    cutShort = cutInsidePacket(dir, path, 12, () => 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function ingested(
  videoId: string,
  sourceUri: string,
  more: { container?: ContainerKind; sessionMetadata?: Record<string, string>; options?: Partial<ProcessingOptions> } = {},
) {
  return videoIngestedOf({
    videoId,
    sourceUri,
    container: more.container,
    sessionMetadata: more.sessionMetadata,
    options: { ...options, ...more.options },
    uploader: 'test',
    producer: { name: 'test', version: '1' },
    now: 1,
  }).value;
}

async function storeWith(objects: Record<string, Buffer>): Promise<InMemoryObjectStore> {
  const store = new InMemoryObjectStore();
  for (const [key, body] of Object.entries(objects)) await store.put({ bucket: 'uploads', key }, body, 'application/octet-stream');
  store.requests.put = 0;
  return store;
}

async function extract(store: InMemoryObjectStore, input: ReturnType<typeof ingested>) {
  const context = handlerContext<'batch-extracted' | 'processing-failed'>();
  const returned = await createExtractProcessor({ objectStore: store, config }).handle(input, context);
  return { returned, emitted: context.emitted };
}

async function tarOf(entries: { name: string; body: Buffer | string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) pack.entry({ name: entry.name }, entry.body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the extract handler (in-memory ports)', () => {
  it('given a video in the store, downloads it once, writes one TAR per batch at its deterministic key and emits batch-extracted per batch', async () => {
    const store = await storeWith({ 'game.mp4': video });

    const input = ingested('v1', 's3://uploads/game.mp4');
    const { returned, emitted } = await extract(store, input);

    expect(returned).toEqual([]);
    expect(store.requests.download).toBe(1);
    expect(store.requests.put).toBe(2);
    expect([...store.objects.keys()].filter((k) => k.startsWith('artifacts/'))).toEqual([artifactKey(input, 0), artifactKey(input, 1)]);
    expect(emitted.map((o) => [o.event, o.key])).toEqual([
      ['batch-extracted', batchKey('v1', 0)],
      ['batch-extracted', batchKey('v1', 1)],
    ]);
    const [first, second] = emitted.map((o) => o.value as BatchExtracted);
    expect(first).toMatchObject({
      video_id: 'v1',
      batch_index: 0,
      batch_count: 2,
      frame_start: 0,
      frame_end: 15,
      frame_indices: [0, 5, 10, 15],
      timestamps_s: [0, 0.5, 1, 1.5],
      artifact_uri: `s3://${artifactKey(input, 0)}`,
      source_uri: 's3://uploads/game.mp4',
      video: { width: 320, height: 180, fps: 10, frame_count: 30, codec: 'h264' },
      stages: ['EXTRACT', 'DETECT'],
    });
    expect(second).toMatchObject({ batch_index: 1, batch_count: 2, frame_start: 20, frame_end: 25, frame_indices: [20, 25], timestamps_s: [2, 2.5] });

    const artifact = await unpackBatchArtifact(store.objects.get(artifactKey(input, 1))!.body, 'batch 1');
    expect(artifact.manifest).toMatchObject({ video_id: 'v1', batch_index: 1 });
    expect(artifact.frames.map((f) => [f.frameIndex, f.timestampS])).toEqual([
      [20, 2],
      [25, 2.5],
    ]);
    expect(artifact.frames.every((f) => f.jpeg.subarray(0, 2).equals(Buffer.from([0xff, 0xd8])))).toBe(true);
  }, 60_000);

  it('run twice on the same video, emits the same keys and event ids and stores no second copy of any batch', async () => {
    const store = await storeWith({ 'game.mp4': video });
    const input = ingested('v1', 's3://uploads/game.mp4');

    const first = await extract(store, input);
    const stored = new Map([...store.objects].map(([k, o]) => [k, o.body]));
    const second = await extract(store, input);

    const identities = (outputs: typeof first.emitted) => outputs.map((o) => [o.key, (o.value as BatchExtracted).event_id]);
    expect(identities(second.emitted)).toEqual(identities(first.emitted));
    expect(second.emitted.map((o) => o.value)).toEqual(first.emitted.map((o) => o.value));
    expect(store.requests.put).toBe(2);
    expect(new Map([...store.objects].map(([k, o]) => [k, o.body]))).toEqual(stored);
  }, 60_000);

  it('given a lost batch artifact, re-run stores only that batch and re-emits every batch', async () => {
    const store = await storeWith({ 'game.mp4': video });
    const input = ingested('v1', 's3://uploads/game.mp4');
    await extract(store, input);
    await store.delete({ bucket: 'artifacts', key: batchArtifactKey('v1', input.run_id, 1) });
    store.requests.put = 0;

    const { emitted } = await extract(store, input);

    expect(store.requests.put).toBe(1);
    expect(store.objects.has(artifactKey(input, 1))).toBe(true);
    expect(emitted.map((o) => (o.value as BatchExtracted).frame_indices)).toEqual([
      [0, 5, 10, 15],
      [20, 25],
    ]);
  }, 60_000);

  it('given a TAR bundle of a video and session JSON, extracts the video and merges the flattened JSON under the event metadata', async () => {
    const bundle = await tarOf([
      { name: 'session.json', body: JSON.stringify({ player: { name: 'ana' }, map: 'dust2' }) },
      { name: 'capture/game.mp4', body: video },
    ]);
    const store = await storeWith({ 'bundle.tar': bundle });

    const input = ingested('b1', 's3://uploads/bundle.tar', { container: 'TAR_BUNDLE', sessionMetadata: { map: 'inferno' } });
    const { emitted } = await extract(store, input);

    expect(emitted.map((o) => (o.value as BatchExtracted).frame_indices)).toEqual([
      [0, 5, 10, 15],
      [20, 25],
    ]);
    expect((emitted[0]!.value as BatchExtracted).session_metadata).toEqual({ 'player.name': 'ana', map: 'inferno' });
    expect(store.objects.has(artifactKey(input, 0)) && store.objects.has(artifactKey(input, 1))).toBe(true);
  }, 60_000);

  it('given a source that is not in the store, fails with the permanent SOURCE_NOT_FOUND naming it, and stores nothing', async () => {
    const store = await storeWith({});
    const processor = createExtractProcessor({ objectStore: store, config });
    const context = handlerContext<'batch-extracted' | 'processing-failed'>();

    await expect(processor.handle(ingested('gone', 's3://uploads/missing.mp4'), context)).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      retriable: false,
      message: expect.stringContaining('s3://uploads/missing.mp4 does not exist'),
    });
    expect(context.emitted).toEqual([]);
    expect(store.requests.put).toBe(0);
  });

  it.each([
    ['text that is not a video', Buffer.from('these are my notes, not a video\n'.repeat(20)), 'is not a readable video'],
    ['an empty object', Buffer.alloc(0), 'is empty (0 bytes)'],
  ])('given %s as the source, fails with the permanent INVALID_SOURCE saying why', async (_what, body, message) => {
    const store = await storeWith({ 'notes.mp4': body });
    const processor = createExtractProcessor({ objectStore: store, config });
    const context = handlerContext<'batch-extracted' | 'processing-failed'>();

    await expect(processor.handle(ingested('bad', 's3://uploads/notes.mp4'), context)).rejects.toMatchObject({
      code: 'INVALID_SOURCE',
      retriable: false,
      message: expect.stringContaining(message),
    });
    expect(context.emitted).toEqual([]);
    expect(store.requests.put).toBe(0);
  });

  it('given a source cut off inside a frame, stores and emits what decoded, then returns processing-failed DECODE_FAILED saying where it stopped', async () => {
    const store = await storeWith({ 'cut.mp4': truncated });

    const { returned, emitted } = await extract(store, ingested('cut', 's3://uploads/cut.mp4', { options: { sample_fps: 10 } }));

    expect(emitted.map((o) => (o.value as BatchExtracted).frame_indices)).toEqual([
      [0, 1, 2, 3],
      [4, 5],
    ]);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.event).toBe('processing-failed');
    expect(returned[0]!.value).toMatchObject({ error_code: 'DECODE_FAILED', error_class: 'PERMANENT', video_id: 'cut', stage: 'extract' });
    expect((returned[0]!.value as { message: string }).message).toContain(
      'stopped after source frame 5 (t=0.500 s): 6 of 7 remaining sampled frames extracted',
    );
  }, 60_000);

  it('given a source that decodes fully but to less than its container declares, emits every batch and fails the run with SOURCE_TRUNCATED naming both', async () => {
    const store = await storeWith({ 'short.mp4': cutShort });

    const { returned, emitted } = await extract(store, ingested('short', 's3://uploads/short.mp4', { options: { sample_fps: 10, batch_size: 5 } }));

    expect(emitted.map((o) => (o.value as BatchExtracted).frame_indices.length)).toEqual([5, 5, 2]);
    expect(returned.map((o) => o.event)).toEqual(['processing-failed']);
    // Its batch is the first that was not extracted, as in a part-way failure: the job status waits for the 3 before it.
    expect(returned[0]!.value).toMatchObject({ error_code: 'SOURCE_TRUNCATED', video_id: 'short', batch_index: 3, stage: 'extract' });
    expect((returned[0]!.value as { message: string }).message).toBe(
      's3://uploads/short.mp4 declares 3.0 s (30 frames at 10 fps) but only 1.2 s (12 frames, 12 sampled) could be decoded: 60 % of it is missing',
    );
  }, 60_000);

  it('a new run of the same video (another file behind its id) stores under keys of its own and reuses nothing of the old run', async () => {
    const store = await storeWith({ 'game.mp4': video, 'other.mp4': cutShort });
    const first = ingested('same', 's3://uploads/game.mp4');
    await extract(store, first);
    store.requests.put = 0;

    const second = ingested('same', 's3://uploads/other.mp4');
    const { emitted } = await extract(store, second);

    expect(second.run_id).not.toBe(first.run_id);
    expect(store.requests.put).toBe(emitted.length);
    expect(
      emitted.every(
        (o) => (o.value as BatchExtracted).run_id === second.run_id && (o.value as BatchExtracted).artifact_uri.includes(`/runs/${second.run_id}/`),
      ),
    ).toBe(true);
    expect(store.objects.has(artifactKey(first, 0)) && store.objects.has(artifactKey(second, 0))).toBe(true);
  }, 60_000);

  // Regression: a batch cut short by a decode failure used to be stored at the complete batch's key, so
  // a re-run took it for finished, re-emitted it with its planned frames (one the artifact lacked) and
  // reported no failure. It is kept at a partial key now: a re-run extracts that batch again.
  it('run again on a source cut off inside a frame, emits the same batch events as the first run and fails again', async () => {
    const store = await storeWith({ 'cut.mp4': truncated });
    const input = ingested('cut', 's3://uploads/cut.mp4', { options: { sample_fps: 10 } });
    const first = await extract(store, input);

    const second = await extract(store, input);

    expect(second.emitted.map((o) => o.value)).toEqual(first.emitted.map((o) => o.value));
    expect(second.returned.map((o) => o.event)).toEqual(['processing-failed']);
  }, 60_000);

  it('serves EXTRACT only: the runtime skips videos that did not ask for it', () => {
    expect(createExtractProcessor({ objectStore: new InMemoryObjectStore(), config }).stages).toEqual(['EXTRACT']);
  });
});
