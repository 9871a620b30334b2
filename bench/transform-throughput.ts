import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { createOnnxDetector, createPersonSegmenter, decodeRgbImage, type OnnxPersonSegmenter, type RgbImage } from '../inference/index.ts';
import { anonymizeFacesName, createTransforms } from '../inference/transforms/index.ts';
import { batchExtractedOf, handlerContext } from '../processors/handler-fixtures.ts';
import { createTransformProcessors, transformGroupSuffix } from '../processors/transform/index.ts';
import { transformedFramesKey } from '../processors/transform/plan.ts';
import { stitchTransformedVideo } from '../processors/transform/stitch.ts';
import type { VideoTransformed } from '../schemas/index.ts';
import type { Detector } from '../schemas/vision.ts';
import { batchArtifactKey, packBatchArtifact, unpackBatchArtifact, type ArtifactFrame } from '../storage/batch-artifact.ts';
import { createFrameSource } from '../storage/frame-source.ts';
import { InMemoryObjectStore } from '../storage/in-memory-object-store.ts';
import { parseS3Uri, s3Uri } from '../storage/object-location.ts';

/** The people photos (test/fixtures/people, public domain) side by side in 640×360, with a little noise so frames differ. */
const peopleFilter = '[0:v]scale=320:320,format=rgb24[a];[1:v]scale=320:320,format=rgb24[b];[a][b]hstack,pad=640:360:0:20,noise=alls=6:allf=t';

export interface TransformBenchRow {
  name: string;
  version: string;
  /** transform() alone on decoded frames. */
  transformSeconds: number;
  /** The stage's handler over every batch: frames from the store, checks, transform, PNG + TAR, store, and the stitch. */
  stageSeconds: number;
  /** The stage's stitch of the stored frames: the whole step, and ffmpeg's part (stitch_ms). */
  stitchSeconds: number;
  stitchFfmpegSeconds: number;
}

export interface TransformBenchResult {
  frames: number;
  width: number;
  height: number;
  batchSize: number;
  threads: number;
  rows: TransformBenchRow[];
  /** anonymize-faces: face-detector calls it made (up to 3 passes a frame) and faces found. */
  detectCalls: number;
  /** The bare BlazeFace session on tensors prepared beforehand, one run per frame: mean of a run before and one after. */
  bareSeconds: number;
  bareRange: [number, number];
  /** The same for the bare selfie (person segmenter) session, blur-background's model. */
  bareSegmenterSeconds: number;
  bareSegmenterRange: [number, number];
  /** ffmpeg alone, the stage's encoder settings, on the same PNG frames already on disk. */
  bareStitchSeconds: number;
}

/**
 * The built-in transforms (mock, anonymize-faces, blur-background) in process, no stack: each over
 * the same frames (the people photos, 640×360) through transform() alone and through the transform
 * stage's handler on in-memory ports (which stitches the MP4), next to the bare BlazeFace and selfie
 * onnxruntime sessions on prepared tensors and a bare ffmpeg stitch of the same stored frames with
 * the same encoder settings.
 */
export async function transformThroughput(config: Config, options: { frames: number; batchSize: number }): Promise<TransformBenchResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'filmroom-bench-transform-'));
  const people = new URL('../test/fixtures/people/', import.meta.url).pathname;
  try {
    const source = join(tmp, 'source');
    mkdirSync(source);
    const inputs = ['-loop', '1', '-i', join(people, 'astronaut.png'), '-loop', '1', '-i', join(people, 'camera.png')];
    await runCommand(
      'ffmpeg',
      ['-nostdin', '-v', 'error', ...inputs, '-filter_complex', peopleFilter, '-frames:v', String(options.frames), '-q:v', '3', join(source, 'f%05d.jpg')],
      { timeoutMs: 300_000, what: 'making the bench frames' },
    );
    const jpegs = readdirSync(source)
      .sort()
      .map((file) => readFileSync(join(source, file)));
    const images: RgbImage[] = [];
    for (const [i, jpeg] of jpegs.entries()) images.push(await decodeRgbImage(jpeg, `frame ${i}`));

    const faceDetector = await createOnnxDetector(config.faceDetect);
    const personSegmenter = await createPersonSegmenter(config.personSegment);
    let detectCalls = 0;
    const counting: Detector = {
      model: faceDetector.model,
      detect: (frames, signal) => {
        detectCalls++;
        return faceDetector.detect(frames, signal);
      },
      close: async () => {},
    };
    try {
      const transforms = createTransforms({ config: config.transform, faceDetector: counting, personSegmenter }).filter(
        (t) => t.adapter === 'builtin' || t.model.name === 'mock',
      );
      const anonymize = transforms.find((t) => t.model.name === anonymizeFacesName)!;
      const store = new InMemoryObjectStore();
      const bucket = config.s3.buckets.artifacts;
      const batchCount = Math.ceil(jpegs.length / options.batchSize);
      const stored: { uri: string; frames: ArtifactFrame[] }[] = [];
      for (let b = 0; b < batchCount; b++) {
        // Sampled at 5 fps from 30 fps: every 6th frame.
        const frames = jpegs.slice(b * options.batchSize, (b + 1) * options.batchSize).map((jpeg, i) => {
          const frameIndex = (b * options.batchSize + i) * 6;
          return { frameIndex, timestampS: frameIndex / 30, jpeg };
        });
        const location = { bucket, key: batchArtifactKey('bench', '', b) };
        await store.put(location, await packBatchArtifact('bench', b, frames), 'application/x-tar');
        stored.push({ uri: s3Uri(location), frames });
      }
      const processors = createTransformProcessors({
        objectStore: store,
        frameSource: createFrameSource({ objectStore: store, cacheBatches: batchCount }),
        transforms,
        config: { ...config, transform: { ...config.transform, modelSize: undefined, tmpDir: tmp } },
      });
      const context = { signal: new AbortController().signal, workDir: tmp, onProgress: () => {} };

      const rows: TransformBenchRow[] = [];
      for (const transform of transforms) {
        const processor = processors.find((p) => p.groupSuffix === transformGroupSuffix(transform.model))!;
        await transform.transform(images.slice(0, 2), context); // warm-up
        let began = performance.now();
        for (let start = 0; start < images.length; start += options.batchSize)
          await transform.transform(images.slice(start, start + options.batchSize), context);
        const transformSeconds = (performance.now() - began) / 1000;
        if (transform === anonymize) detectCalls = 0;
        began = performance.now();
        let video: VideoTransformed | undefined;
        for (const [b, batch] of stored.entries()) {
          const event = batchExtractedOf({
            videoId: 'bench',
            batchIndex: b,
            batchCount,
            artifactUri: batch.uri,
            frames: batch.frames,
            stages: ['EXTRACT'],
            transform: transform.model.name,
          });
          const outputs = await processor.handle(event, handlerContext());
          video ??= outputs.find((o) => o.event === 'video-transformed')?.value as VideoTransformed | undefined;
        }
        const stageSeconds = (performance.now() - began) / 1000;
        if (!video) throw new Error(`the ${transform.model.name} bench video was not stitched`);
        // The stitch step again on its own (the handler's last batch did it once), for its time without the transform.
        began = performance.now();
        const again = await stitchTransformedVideo({
          objectStore: store,
          bucket,
          run: { videoId: 'bench', runId: '' },
          model: transform.model,
          batchCount,
          thumbnails: config.render.thumbnails,
          tmp: mkdtempSync(join(tmp, 'stitch-')),
          signal: context.signal,
          now: Date.now(),
        });
        const stitchSeconds = (performance.now() - began) / 1000;
        const stitchFfmpegSeconds = (again.value as VideoTransformed).stitch_ms / 1000;
        rows.push({ name: transform.model.name, version: transform.model.version, transformSeconds, stageSeconds, stitchSeconds, stitchFfmpegSeconds });
      }
      const stageDetectCalls = detectCalls;

      // Bare session: BlazeFace on each frame's tensor, prepared beforehand.
      const inputName = faceDetector.session.inputNames[0]!;
      const tensors = images.map((image) => faceDetector.prepare([image]).tensor);
      const bare = async () => {
        const began = performance.now();
        for (const tensor of tensors) await faceDetector.session.run({ [inputName]: tensor });
        return (performance.now() - began) / 1000;
      };
      const before = await bare();
      const after = await bare();
      const bareSegmenter = await bareSegmenterRuns(personSegmenter, images);

      // Bare ffmpeg: the anonymized frames as PNG files already on disk, the stage's encoder settings.
      const pngs = join(tmp, 'pngs');
      mkdirSync(pngs);
      let n = 0;
      for (let b = 0; b < batchCount; b++) {
        const uri = s3Uri({ bucket, key: transformedFramesKey({ videoId: 'bench', runId: '' }, anonymize.model, b) });
        for (const frame of (await unpackBatchArtifact(await store.get(parseS3Uri(uri)), uri)).frames)
          writeFileSync(join(pngs, `f-${String(n++).padStart(6, '0')}.png`), frame.jpeg);
      }
      const encoder = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-threads', '1'];
      const began = performance.now();
      await runCommand('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-framerate', '5', '-i', join(pngs, 'f-%06d.png'), ...encoder, join(tmp, 'bare.mp4')], {
        timeoutMs: 300_000,
        what: 'the bare ffmpeg stitch',
      });
      const bareStitchSeconds = (performance.now() - began) / 1000;
      return {
        frames: images.length,
        width: images[0]!.width,
        height: images[0]!.height,
        batchSize: options.batchSize,
        threads: config.faceDetect.threads,
        rows,
        detectCalls: stageDetectCalls,
        bareSeconds: (before + after) / 2,
        bareRange: [before, after],
        bareSegmenterSeconds: (bareSegmenter[0] + bareSegmenter[1]) / 2,
        bareSegmenterRange: bareSegmenter,
        bareStitchSeconds,
      };
    } finally {
      await faceDetector.close();
      await personSegmenter.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The bare selfie session over each frame's tensor, prepared beforehand (resize and scale in libvips): a run before and one after. */
async function bareSegmenterRuns(segmenter: OnnxPersonSegmenter, images: RgbImage[]): Promise<[number, number]> {
  const inputName = segmenter.session.inputNames[0]!;
  const tensors = await Promise.all(images.map((image) => segmenter.prepare(image)));
  const run = async () => {
    const began = performance.now();
    for (const tensor of tensors) await segmenter.session.run({ [inputName]: tensor });
    return (performance.now() - began) / 1000;
  };
  return [await run(), await run()];
}

/** The bench's table, in docs/benchmarks.md's format. */
export function transformTable(r: TransformBenchResult): string[] {
  const row = (name: string, seconds: number, frames = r.frames) =>
    `| ${name} | ${frames} | ${seconds.toFixed(2)} | ${(frames / seconds).toFixed(1)} | ${((seconds * 1000) / frames).toFixed(1)} |`;
  const lines = [
    `input: ${r.frames} frames of ${r.width}x${r.height} (two faces each), batches of ${r.batchSize}, ${r.threads} onnxruntime thread(s)`,
    '| measurement | frames | seconds | frames/s | ms each |',
    '|---|---:|---:|---:|---:|',
    row(
      `bare onnxruntime-node session, BlazeFace 256x256 NHWC, prepared tensors, one run a frame (runs ${r.bareRange.map((x) => x.toFixed(2)).join(' s, ')} s)`,
      r.bareSeconds,
    ),
    row(
      `bare onnxruntime-node session, selfie 256x256 NHWC (blur-background's model), prepared tensors, one run a frame (runs ${r.bareSegmenterRange.map((x) => x.toFixed(2)).join(' s, ')} s)`,
      r.bareSegmenterSeconds,
    ),
  ];
  for (const t of r.rows) {
    const what =
      t.name === 'mock'
        ? 'mock (invert every pixel; no model)'
        : t.name === anonymizeFacesName
          ? `${t.name}@${t.version} (${r.detectCalls} detector calls in the stage)`
          : `${t.name}@${t.version} (one segmenter call a frame)`;
    lines.push(row(`${what}: transform() on decoded frames`, t.transformSeconds));
    lines.push(row(`${t.name}: the transform stage's handler, every batch (store read, JPEG decode, transform, PNG + TAR, store, stitch)`, t.stageSeconds));
    lines.push(
      row(
        `${t.name}: the stage's stitch step (read TARs, write PNGs, ffmpeg, thumbnails, contact sheet; ffmpeg ${t.stitchFfmpegSeconds.toFixed(2)} s)`,
        t.stitchSeconds,
      ),
    );
  }
  lines.push(row('bare ffmpeg stitch of the same PNG frames on disk (libx264 ultrafast crf 18, 1 thread)', r.bareStitchSeconds));
  return lines;
}
