import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hasAudioStream } from '../../media/ffprobe.ts';
import { runFfmpeg } from '../../media/run-ffmpeg.ts';
import { localSource } from '../extract/source.ts';
import { contactSheetOf, evenlySpaced, stillsOf } from '../../media/stills.ts';
import type { BatchTransformed, ModelInfo, Thumbnail } from '../../schemas/index.ts';
import type { Output } from '../../schemas/envelope.ts';
import { unpackBatchArtifact, type VideoRun } from '../../storage/batch-artifact.ts';
import { parseS3Uri, s3Uri } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { sampledRate } from './core/index.ts';
import { transformedEventKey, transformedSheetKey, transformedThumbnailKey, transformedVideoKey, videoTransformedOf } from './plan.ts';

/** What the stage stores beside a batch's transformed frames once they are complete: its event, and what stitching needs of the source. */
export interface TransformedBatchRecord {
  event: BatchTransformed;
  source_fps: number;
  /** The video's source (s3:// or file://), whose audio is cut in when every frame was sampled. */
  source_uri: string;
}

/**
 * H.264 from the frames, encoded bit-exactly: one thread, no encoder or time metadata, so the same
 * frames always give the same bytes (a script, a service and the mock that compute the same
 * frames give MP4s with the same digest). Odd sizes are padded by one black row or column.
 */
const bitExactH264 = [
  ...['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-threads', '1'],
  ...['-fflags', '+bitexact', '-flags:v', '+bitexact', '-map_metadata', '-1', '-movflags', '+faststart'],
];

/**
 * ffmpeg arguments that cut the source's audio to the frames' span (from the first frame's time, as
 * long as the frames last) and map it beside them, when the source has audio and is a video file
 * (a TAR bundle's audio is not cut in); none otherwise. The source is fetched into the work folder.
 */
async function sourceAudio(input: StitchInput, sourceUri: string, startS: number, durationS: number): Promise<string[]> {
  // A source gone since extraction (a replay from stored frames) leaves the video silent, not failed.
  const path = await localSource(sourceUri, input.tmp, input.objectStore).then(
    (local) => local.path,
    () => undefined,
  );
  if (!path || !(await hasAudioStream(path))) return [];
  const cut = ['-ss', startS.toFixed(6), '-t', durationS.toFixed(6), '-i', path];
  return [...cut, '-map', '0:v:0', '-map', '1:a:0', '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-flags:a', '+bitexact', '-shortest'];
}

export interface StitchInput {
  objectStore: ObjectStore;
  bucket: string;
  run: VideoRun;
  model: ModelInfo;
  batchCount: number;
  thumbnails: number;
  tmp: string;
  signal: AbortSignal;
  now: number;
}

/**
 * Stitches a video's transformed batches, in batch order, into one MP4 at the sampled rate, then
 * picks evenly spaced thumbnails and a contact sheet from it. Keys are deterministic: two last
 * batches stitching at once write the same objects and the same event.
 */
export async function stitchTransformedVideo(input: StitchInput): Promise<Output<'video-transformed'>> {
  const { objectStore, bucket, run, model, tmp } = input;
  const framesDir = join(tmp, 'stitch');
  await mkdir(framesDir, { recursive: true });
  const frames: { frame_index: number; timestamp_s: number }[] = [];
  let sourceFps = 0;
  let sourceUri = '';
  let size = { width: 0, height: 0 };
  for (let b = 0; b < input.batchCount; b++) {
    input.signal.throwIfAborted();
    const record = JSON.parse((await objectStore.get({ bucket, key: transformedEventKey(run, model, b) })).toString()) as TransformedBatchRecord;
    sourceFps ||= record.source_fps;
    sourceUri ||= record.source_uri;
    if (b === 0) size = { width: record.event.width, height: record.event.height };
    const stored = await unpackBatchArtifact(await objectStore.get(parseS3Uri(record.event.frames_uri)), record.event.frames_uri);
    for (const frame of stored.frames) {
      await writeFile(join(framesDir, `f-${String(frames.length).padStart(6, '0')}.png`), frame.jpeg);
      frames.push({ frame_index: frame.frameIndex, timestamp_s: frame.timestampS });
    }
  }
  const { fps, everyFrame } = sampledRate(
    sourceFps,
    frames.map((f) => f.frame_index),
  );
  const video = join(tmp, 'video.mp4');
  const began = performance.now();
  const audio = everyFrame ? await sourceAudio(input, sourceUri, frames[0]!.timestamp_s, frames.length / fps) : [];
  const pictures = ['-framerate', String(fps), '-i', join(framesDir, 'f-%06d.png')];
  await runFfmpeg(['-nostdin', '-v', 'error', '-y', ...pictures, ...audio, ...bitExactH264, video], { signal: input.signal });
  const stitchMs = performance.now() - began;
  const hasAudio = audio.length > 0 && (await hasAudioStream(video));
  const body = await readFile(video);
  await objectStore.put({ bucket, key: transformedVideoKey(run, model) }, body, 'video/mp4');

  const picks = evenlySpaced(frames.length, input.thumbnails);
  const stills = await stillsOf(video, fps, picks, tmp, `the ${model.name} video of ${run.videoId}`);
  const thumbnails: Thumbnail[] = [];
  for (const [n, position] of picks.entries()) {
    const location = { bucket, key: transformedThumbnailKey(run, model, n) };
    await objectStore.put(location, stills[n]!, 'image/jpeg');
    thumbnails.push({ uri: s3Uri(location), frame_index: frames[position]!.frame_index, timestamp_s: frames[position]!.timestamp_s });
  }
  const sheet = { bucket, key: transformedSheetKey(run, model) };
  await objectStore.put(sheet, await contactSheetOf(stills, size), 'image/jpeg');
  return videoTransformedOf({
    run,
    model,
    batches: input.batchCount,
    frames: frames.length,
    size,
    fps,
    hasAudio,
    videoUri: s3Uri({ bucket, key: transformedVideoKey(run, model) }),
    videoSha256: createHash('sha256').update(body).digest('hex'),
    contactSheetUri: s3Uri(sheet),
    thumbnails,
    stitchMs,
    now: input.now,
  });
}
