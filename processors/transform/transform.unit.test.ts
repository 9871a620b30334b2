import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import { decodeRgbImage } from '../../inference/decode-image.ts';
import { createMockTransform, invertImage } from '../../inference/transforms/index.ts';
import type { BatchTransformed, VideoTransformed } from '../../schemas/index.ts';
import type { FrameTransform } from '../../schemas/vision.ts';
import { batchArtifactKey, packBatchArtifact, unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { s3Uri } from '../../storage/object-location.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch, syntheticJpeg } from '../../storage/synthetic-batches.ts';
import { batchExtractedOf, handlerContext } from '../handler-fixtures.ts';
import { createTransformProcessors } from './index.ts';
import { transformedEventKey, transformedVideoKey } from './plan.ts';
import { removeStaleWorkDirs } from './work-dirs.ts';

let tmp: string;
beforeEach(async () => void (tmp = await mkdtemp(join(tmpdir(), 'transform-unit-'))));
afterEach(() => rm(tmp, { recursive: true, force: true }));

const run = { videoId: 'v1', runId: '' };
const mock = { name: 'mock', version: '1' };

async function given(options: { transforms?: FrameTransform[]; modelSize?: { width: number; height: number } } = {}) {
  const store = new InMemoryObjectStore();
  const config = {
    ...loadConfig({ FILMROOM_S3_BUCKET_ARTIFACTS: 'artifacts', FILMROOM_RENDER_THUMBNAILS: '2' }),
    transform: { modelSize: options.modelSize, tmpDir: tmp },
  };
  // The guard, then one processor per transform: these tests give one transform.
  const [guard, processor] = createTransformProcessors({
    objectStore: store,
    frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }),
    transforms: options.transforms ?? [createMockTransform(mock)],
    config,
  });
  const batches = [];
  for (let b = 0; b < 2; b++) {
    const stored = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: b, frameCount: 3, width: 33, height: 19 });
    batches.push(
      batchExtractedOf({ videoId: 'v1', batchIndex: b, batchCount: 2, artifactUri: stored.uri, frames: stored.frames, stages: ['EXTRACT'], transform: 'mock' }),
    );
  }
  return { store, processor: processor!, guard: guard!, batches };
}

describe('the transform handler (in-memory ports)', () => {
  it('stores each batch transformed losslessly under the transform name and version, and the last batch stitches the video', async () => {
    const { store, processor, batches } = await given();
    const first = await processor.handle(batches[0]!, handlerContext());
    expect(first.map((o) => o.event)).toEqual(['batch-transformed']);
    const event = first[0]!.value as BatchTransformed;
    expect(event).toMatchObject({ transform: mock, adapter: 'mock', frame_indices: [0, 30, 60], width: 33, height: 19, model_width: 33, model_height: 19 });
    expect(event.frames_uri).toBe('s3://artifacts/videos/v1/transforms/mock@1/batches/batch-00000.tar');

    const source = createFrameSource({ objectStore: store, cacheBatches: 0 });
    const input = await source.frames(batches[0]!.artifact_uri);
    const { frames } = await unpackBatchArtifact(await store.get({ bucket: 'artifacts', key: event.frames_uri.slice('s3://artifacts/'.length) }), 'out');
    for (const [i, frame] of frames.entries()) expect(await decodeRgbImage(frame.jpeg, 'out')).toEqual(invertImage(input[i]!.rgb));

    const last = await processor.handle(batches[1]!, handlerContext());
    expect(last.map((o) => o.event)).toEqual(['batch-transformed', 'video-transformed']);
    const video = last[1]!.value as VideoTransformed;
    expect(video).toMatchObject({ transform: mock, frames: 6, batches: 2, fps: 1, has_audio: false, width: 33, height: 19 });
    expect(video.thumbnails.map((t) => t.frame_index)).toEqual([0, 150]);
    expect(store.objects.has(`artifacts/${transformedVideoKey(run, mock)}`)).toBe(true);
    expect(video.video_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await readdir(tmp)).toEqual([]);
  }, 60_000);

  it('stitches bit-exactly: the same frames give the same MP4 digest', async () => {
    const digests = [];
    for (let n = 0; n < 2; n++) {
      const { processor, batches } = await given();
      await processor.handle(batches[0]!, handlerContext());
      digests.push(((await processor.handle(batches[1]!, handlerContext()))[1]!.value as VideoTransformed).video_sha256);
    }
    expect(digests[0]).toBe(digests[1]);
  }, 60_000);

  it('cuts the source audio in when every source frame was sampled, still bit-exactly', async () => {
    const source = join(tmp, 'source.mp4');
    const lavfi = ['-f', 'lavfi', '-i', 'testsrc2=size=32x18:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440'];
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...lavfi, '-t', '1', '-c:v', 'libx264', '-c:a', 'aac', '-shortest', source]);
    const stitched = [];
    for (let n = 0; n < 2; n++) {
      const { store, processor } = await given();
      await store.put({ bucket: 'uploads', key: 'v2.mp4' }, readFileSync(source), 'video/mp4');
      const outputs = [];
      for (let b = 0; b < 2; b++) {
        const at = (i: number) => b * 5 + i;
        const frames = await Promise.all(
          [0, 1, 2, 3, 4].map(async (i) => ({ frameIndex: at(i), timestampS: at(i) / 10, jpeg: await syntheticJpeg(32, 18, i) })),
        );
        const location = { bucket: 'artifacts', key: batchArtifactKey('v2', '', b) };
        await store.put(location, await packBatchArtifact('v2', b, frames), 'application/x-tar');
        const batch = batchExtractedOf({
          videoId: 'v2',
          batchIndex: b,
          batchCount: 2,
          artifactUri: s3Uri(location),
          frames,
          stages: ['EXTRACT'],
          transform: 'mock',
        });
        outputs.push(...(await processor.handle({ ...batch, video: { ...batch.video, fps: 10 } }, handlerContext())));
      }
      stitched.push(outputs.at(-1)!.value as VideoTransformed);
    }
    expect(stitched[0]).toMatchObject({ fps: 10, has_audio: true, frames: 10 });
    expect(stitched[0]!.video_sha256).toBe(stitched[1]!.video_sha256);
    expect(await readdir(tmp)).toEqual(['source.mp4']);
  }, 60_000);

  it('resizes frames to the model size and back; a redelivered batch re-emits the stored events and runs no model or stitch', async () => {
    const seen: number[][] = [];
    const recording: FrameTransform = {
      ...createMockTransform(mock),
      transform: async (frames, context) => (seen.push(frames.map((f) => f.width * 1000 + f.height)), createMockTransform().transform(frames, context)),
    };
    const { processor, batches } = await given({ transforms: [recording], modelSize: { width: 16, height: 16 } });
    const first = await processor.handle(batches[0]!, handlerContext());
    expect(first[0]!.value).toMatchObject({ width: 33, height: 19, model_width: 16, model_height: 16 });
    const again = await processor.handle(batches[0]!, handlerContext());
    expect(again).toEqual(first);
    const last = await processor.handle(batches[1]!, handlerContext());
    expect(await processor.handle(batches[0]!, handlerContext())).toEqual([first[0], last[1]]);
    // Batch 0 went through the model once, whatever was redelivered.
    expect(seen).toEqual([
      [16016, 16016, 16016],
      [16016, 16016, 16016],
    ]);
  });

  it('skips videos that asked for no transform or another one; the guard fails a batch naming one the process lacks, and only that', async () => {
    const { processor, guard, batches } = await given();
    expect(await processor.handle({ ...batches[0]!, transform: '' }, handlerContext())).toEqual([]);
    expect(await processor.handle({ ...batches[0]!, transform: 'cartoon' }, handlerContext())).toEqual([]);
    await expect(guard.handle({ ...batches[0]!, transform: 'cartoon' }, handlerContext())).rejects.toThrow(
      "no transform named 'cartoon' in this process (it has mock)",
    );
    expect(await guard.handle(batches[0]!, handlerContext())).toEqual([]);
    expect(await guard.handle({ ...batches[0]!, transform: '' }, handlerContext())).toEqual([]);
  });

  it('removes the work folder when the model fails, stores nothing, and passes the error on for the runtime to retry', async () => {
    const failing: FrameTransform = {
      ...createMockTransform(mock),
      transform: async (_frames, context) => {
        expect((await readdir(tmp)).length).toBe(1);
        expect(context.workDir.startsWith(tmp)).toBe(true);
        throw new FilmroomError('MODEL_UNAVAILABLE', 'script exited with code 3');
      },
    };
    const { store, processor, batches } = await given({ transforms: [failing] });
    await expect(processor.handle(batches[0]!, handlerContext())).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', retriable: true });
    expect(await readdir(tmp)).toEqual([]);
    expect(store.objects.has(`artifacts/${transformedEventKey(run, mock, 0)}`)).toBe(false);
  });

  it("removes work folders of processes that are gone, never a live one's", async () => {
    for (const name of ['filmroom-transform-111-a', 'filmroom-transform-222-b', 'other']) await mkdir(join(tmp, name));
    expect(await removeStaleWorkDirs(tmp, (pid) => pid === 222)).toEqual(['filmroom-transform-111-a']);
    expect((await readdir(tmp)).sort()).toEqual(['filmroom-transform-222-b', 'other']);
  });

  it('refuses two transforms under one name', async () => {
    await expect(given({ transforms: [createMockTransform(mock), createMockTransform(mock)] })).rejects.toThrow(/two transforms are named 'mock'/);
  });
});
