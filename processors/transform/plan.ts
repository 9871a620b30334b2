import type { BatchExtracted, BatchTransformed, ModelInfo, Thumbnail } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts, type Output } from '../../schemas/envelope.ts';
import type { TransformAdapterName } from '../../schemas/vision.ts';
import { videoRunFolder, type VideoRun } from '../../storage/batch-artifact.ts';

export const transformProcessorVersion = '1.0.0';

/**
 * Deterministic keys in the artifacts bucket, per run and per transform name and version: a new
 * version's frames and video sit beside the old ones, and re-transforming overwrites, never copies.
 */
export const transformPrefix = (run: VideoRun, model: ModelInfo) => `${videoRunFolder(run.videoId, run.runId)}transforms/${model.name}@${model.version}/`;
export const transformBatchPrefix = (run: VideoRun, model: ModelInfo) => `${transformPrefix(run, model)}batches/`;
const five = (n: number) => String(n).padStart(5, '0');
export const transformedFramesKey = (run: VideoRun, model: ModelInfo, batchIndex: number) => `${transformBatchPrefix(run, model)}batch-${five(batchIndex)}.tar`;
/** The batch's batch-transformed event, written after its frames: its existence says the batch is complete. */
export const transformedEventKey = (run: VideoRun, model: ModelInfo, batchIndex: number) => `${transformBatchPrefix(run, model)}batch-${five(batchIndex)}.json`;
export const transformedVideoKey = (run: VideoRun, model: ModelInfo) => `${transformPrefix(run, model)}video.mp4`;
/** The video-transformed event, written after the MP4, thumbnails and sheet: its existence says the video is stitched. */
export const transformedVideoEventKey = (run: VideoRun, model: ModelInfo) => `${transformPrefix(run, model)}video.json`;
export const transformedSheetKey = (run: VideoRun, model: ModelInfo) => `${transformPrefix(run, model)}contact-sheet.jpg`;
export const transformedThumbnailKey = (run: VideoRun, model: ModelInfo, n: number) =>
  `${transformPrefix(run, model)}thumbnail-${String(n).padStart(2, '0')}.jpg`;

/** The batch index of a completion marker key, or undefined for other keys under the prefix. */
export function batchOfEventKey(key: string): number | undefined {
  const match = /\/batch-(\d{5})\.json$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

export function batchTransformedOf(input: {
  batch: BatchExtracted;
  model: ModelInfo;
  adapter: TransformAdapterName;
  framesUri: string;
  size: { width: number; height: number };
  modelSize: { width: number; height: number };
  progressReports: number;
  transformMs: number;
  now: number;
}): Output<'batch-transformed'> {
  const { batch, model } = input;
  const value: BatchTransformed = {
    event_id: deterministicEventId('batch-transformed', batch.video_id, ...runParts(batch.run_id), batch.batch_index, model.name, model.version),
    occurred_at: input.now,
    producer: { name: 'transform', version: transformProcessorVersion },
    video_id: batch.video_id,
    run_id: batch.run_id,
    batch_index: batch.batch_index,
    batch_count: batch.batch_count,
    transform: { name: model.name, version: model.version },
    adapter: input.adapter,
    frames_uri: input.framesUri,
    frame_indices: batch.frame_indices,
    width: input.size.width,
    height: input.size.height,
    model_width: input.modelSize.width,
    model_height: input.modelSize.height,
    progress_reports: input.progressReports,
    transform_ms: Math.round(input.transformMs * 1000) / 1000,
  };
  return { event: 'batch-transformed', key: batchKey(batch.video_id, batch.batch_index), value };
}

export function videoTransformedOf(input: {
  run: VideoRun;
  model: ModelInfo;
  batches: number;
  frames: number;
  size: { width: number; height: number };
  fps: number;
  hasAudio: boolean;
  videoUri: string;
  videoSha256: string;
  contactSheetUri: string;
  thumbnails: Thumbnail[];
  stitchMs: number;
  now: number;
}): Output<'video-transformed'> {
  const { run, model } = input;
  return {
    event: 'video-transformed',
    key: run.videoId,
    value: {
      event_id: deterministicEventId('video-transformed', run.videoId, ...runParts(run.runId), model.name, model.version, input.batches),
      occurred_at: input.now,
      producer: { name: 'transform', version: transformProcessorVersion },
      video_id: run.videoId,
      run_id: run.runId,
      transform: { name: model.name, version: model.version },
      video_uri: input.videoUri,
      video_sha256: input.videoSha256,
      fps: input.fps,
      has_audio: input.hasAudio,
      contact_sheet_uri: input.contactSheetUri,
      thumbnails: input.thumbnails,
      frames: input.frames,
      batches: input.batches,
      width: input.size.width,
      height: input.size.height,
      stitch_ms: Math.round(input.stitchMs * 1000) / 1000,
    },
  };
}
