import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Config } from '../../common/config.ts';
import { runFfmpeg } from '../../media/run-ffmpeg.ts';
import { contactSheetOf, stillsOf } from '../../media/stills.ts';
import type { OcrDone, Thumbnail } from '../../schemas/index.ts';
import { batchArtifactKey, type VideoRun } from '../../storage/batch-artifact.ts';
import { s3Uri } from '../../storage/object-location.ts';
import type { FrameSource, ObjectStore } from '../../storage/ports.ts';
import { defineProcessor, type HandlerContext } from '../../streams/processor.ts';
import type { Output } from '../../schemas/envelope.ts';
import {
  contactSheetKey,
  evenlySpaced,
  overlaySvg,
  previewKey,
  renderDoneOf,
  renderProcessorVersion,
  renderSize,
  segmentInfoKey,
  segmentKey,
  segmentPrefix,
  thumbnailKey,
  type SegmentInfo,
} from './plan.ts';

export { renderProcessorVersion } from './plan.ts';

const runOf = (event: OcrDone): VideoRun => ({ videoId: event.video_id, runId: event.run_id });

export interface RenderPorts {
  objectStore: ObjectStore;
  frameSource: FrameSource;
  config: Pick<Config, 'render' | 's3' | 'clips'>;
}

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'];

/**
 * The render stage (five-stage pipeline's stitch and thumbnails): ocr-done → per batch an annotated
 * preview segment (the batch's sampled frames with detection boxes and OCR text drawn, encoded at
 * the preview frame rate); the batch that finds every segment stored stitches the preview MP4
 * (ffmpeg concat), picks evenly spaced thumbnails and a contact sheet and emits render-done. Keys are
 * deterministic, so two last batches stitching at once write the same objects and the same event.
 * Runs only for videos whose ingestion asked for RENDER.
 */
export function createRenderProcessor(ports: RenderPorts) {
  const { objectStore, frameSource, config } = ports;
  const bucket = config.s3.buckets.artifacts;
  const fps = config.render.previewFps;

  async function renderSegment(event: OcrDone, tmp: string): Promise<void> {
    // The event names its artifact (a partial last batch has a key of its own); older events do not.
    const artifactUri = event.artifact_uri || s3Uri({ bucket, key: batchArtifactKey(event.video_id, event.run_id, event.batch_index) });
    const run = runOf(event);
    const frames = await frameSource.frames(artifactUri);
    if (frames.length === 0) return;
    const size = renderSize(frames[0]!.rgb.width, frames[0]!.rgb.height, config.render.width);
    const info: SegmentInfo = { batch_index: event.batch_index, frames: [], detections: 0, texts: 0, ...size };
    for (const [i, frame] of frames.entries()) {
      const detections = event.detections.find((d) => d.frame_index === frame.frameIndex)?.detections ?? [];
      const texts = event.texts.filter((t) => t.frame_index === frame.frameIndex);
      info.detections += detections.length;
      info.texts += texts.length;
      info.frames.push({ frame_index: frame.frameIndex, timestamp_s: frame.timestampS });
      const { rgb } = frame;
      const drawn = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
        .resize(size.width, size.height, { fit: 'fill' })
        .composite([{ input: Buffer.from(overlaySvg(size, detections, texts)) }])
        .jpeg({ quality: 90 })
        .toBuffer();
      await writeFile(join(tmp, `f-${String(i).padStart(5, '0')}.jpg`), drawn);
    }
    const output = join(tmp, 'segment.mp4');
    await runFfmpeg(['-nostdin', '-v', 'error', '-y', '-framerate', String(fps), '-i', join(tmp, 'f-%05d.jpg'), ...x264, '-r', String(fps), output]);
    await objectStore.put({ bucket, key: segmentKey(run, event.batch_index) }, await readFile(output), 'video/mp4');
    await objectStore.put({ bucket, key: segmentInfoKey(run, event.batch_index) }, Buffer.from(JSON.stringify(info)), 'application/json');
  }

  async function stitch(run: VideoRun, batchCount: number, tmp: string, now: number): Promise<Output<'render-done'>> {
    const segments: SegmentInfo[] = [];
    const list: string[] = [];
    for (let b = 0; b < batchCount; b++) {
      const info = JSON.parse((await objectStore.get({ bucket, key: segmentInfoKey(run, b) })).toString()) as SegmentInfo;
      segments.push(info);
      if (info.frames.length === 0) continue;
      const path = join(tmp, `segment-${b}.mp4`);
      await writeFile(path, await objectStore.get({ bucket, key: segmentKey(run, b) }));
      list.push(`file '${path}'`);
    }
    await writeFile(join(tmp, 'segments.txt'), `${list.join('\n')}\n`);
    const preview = join(tmp, 'preview.mp4');
    await runFfmpeg([
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      join(tmp, 'segments.txt'),
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      preview,
    ]);
    await objectStore.put({ bucket, key: previewKey(run) }, await readFile(preview), 'video/mp4');

    const all = segments.flatMap((s) => s.frames);
    const picks = evenlySpaced(all.length, config.render.thumbnails);
    const tiles = await stillsOf(preview, fps, picks, tmp, `the preview of ${run.videoId}`);
    const thumbnails: Thumbnail[] = [];
    for (const [n, index] of picks.entries()) {
      await objectStore.put({ bucket, key: thumbnailKey(run, n) }, tiles[n]!, 'image/jpeg');
      thumbnails.push({ uri: s3Uri({ bucket, key: thumbnailKey(run, n) }), frame_index: all[index]!.frame_index, timestamp_s: all[index]!.timestamp_s });
    }
    const sheet = await contactSheetOf(tiles, { width: segments[0]?.width ?? 320, height: segments[0]?.height ?? 180 });
    await objectStore.put({ bucket, key: contactSheetKey(run) }, sheet, 'image/jpeg');
    return renderDoneOf({
      run,
      segments,
      previewUri: s3Uri({ bucket, key: previewKey(run) }),
      previewFps: fps,
      contactSheetUri: s3Uri({ bucket, key: contactSheetKey(run) }),
      thumbnails,
      now,
    });
  }

  async function render(event: OcrDone, context: HandlerContext<'render-done'>, tmp: string): Promise<Output<'render-done'>[]> {
    const run = runOf(event);
    const done = () => objectStore.list(bucket, segmentPrefix(run)).then((sizes) => new Set(sizes.keys()));
    let stored = await done();
    if (!stored.has(segmentInfoKey(run, event.batch_index))) {
      await renderSegment(event, tmp);
      stored = await done();
    }
    const complete = Array.from({ length: event.batch_count }, (_, b) => stored.has(segmentInfoKey(run, b))).every(Boolean);
    if (!complete) return [];
    context.log.info({ video_id: event.video_id, batches: event.batch_count }, 'stitching the preview');
    return [await stitch(run, event.batch_count, tmp, context.now())];
  }

  return defineProcessor({
    name: 'render',
    version: renderProcessorVersion,
    input: 'ocr-done',
    stages: ['RENDER'],
    outputs: ['render-done'],
    async handle(event, context) {
      const tmp = await mkdtemp(join(config.clips.tmpDir, 'filmroom-render-'));
      try {
        return await render(event, context, tmp);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  });
}
