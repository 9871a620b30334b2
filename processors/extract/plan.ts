import { FilmroomError } from '../../common/errors.ts';
import type { BatchExtracted, ProcessingOptions, VideoIngested, VideoMetadata } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';
import type { VideoProbe } from '../../media/ffprobe.ts';

export const extractorVersion = '1.0.0';
export const defaultSampleFps = 1;
export const maxBatchSize = 1000;

/**
 * Which source frames are sampled: every `stride`-th frame from frame 0. A requested fps becomes
 * the nearest whole stride of the source rate (so sampling is exact and repeatable: the same
 * frames on every run); it wins over an explicit stride. Default: 1 frame per second.
 */
export interface SamplingPlan {
  stride: number;
  fps: number;
  sourceFrames: number;
  sampledFrames: number;
  batchSize: number;
  batchCount: number;
}

export function planSampling(probe: Pick<VideoProbe, 'fps' | 'frameCount'>, options: ProcessingOptions): SamplingPlan {
  const { batch_size: batchSize, sample_fps: sampleFps, sample_stride: sampleStride } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatchSize) {
    throw new FilmroomError('MALFORMED_EVENT', `options.batch_size must be an integer from 1 to ${maxBatchSize} (got ${batchSize})`);
  }
  if (sampleFps !== null && !(sampleFps > 0)) throw new FilmroomError('MALFORMED_EVENT', `options.sample_fps must be positive (got ${sampleFps})`);
  if (sampleFps === null && sampleStride !== null && !(sampleStride >= 1)) {
    throw new FilmroomError('MALFORMED_EVENT', `options.sample_stride must be at least 1 (got ${sampleStride})`);
  }
  const stride = sampleFps !== null || sampleStride === null ? Math.max(1, Math.round(probe.fps / (sampleFps ?? defaultSampleFps))) : sampleStride;
  const sampledFrames = Math.ceil(probe.frameCount / stride);
  return { stride, fps: probe.fps, sourceFrames: probe.frameCount, sampledFrames, batchSize, batchCount: Math.ceil(sampledFrames / batchSize) };
}

/** The source frame numbers of one batch. */
export function batchFrameIndices(plan: SamplingPlan, batchIndex: number): number[] {
  const first = batchIndex * plan.batchSize;
  const count = Math.min(plan.batchSize, plan.sampledFrames - first);
  return Array.from({ length: Math.max(0, count) }, (_, i) => (first + i) * plan.stride);
}

/** Presentation time of a source frame, at the stream's average rate, rounded to the microsecond. */
export const frameTimestamp = (plan: Pick<SamplingPlan, 'fps'>, frameIndex: number) => Math.round((frameIndex / plan.fps) * 1e6) / 1e6;

export const firstFrameOfBatch = (plan: SamplingPlan, batchIndex: number) => batchIndex * plan.batchSize * plan.stride;

/** How much shorter than declared a decoded source may be before it counts as truncated: 1 s, or 2 % of a long one. */
export const truncationToleranceS = (declaredS: number) => Math.max(1, 0.02 * declaredS);

/**
 * The failure of a source whose frames (every one the plan found decoded) end clearly before the
 * duration its container declares, or undefined. The plan is made from the packets there are, so a
 * truncated file plans, and decodes, only what is left of it: without this it would end `complete`.
 */
export function truncationOf(probe: Pick<VideoProbe, 'durationS' | 'fps'>, plan: SamplingPlan, what: string): FilmroomError | undefined {
  const declaredS = probe.durationS;
  const decodedS = plan.sourceFrames / plan.fps;
  if (!(declaredS > 0) || declaredS - decodedS <= truncationToleranceS(declaredS)) return undefined;
  const declaredFrames = Math.round(declaredS * plan.fps);
  return new FilmroomError(
    'SOURCE_TRUNCATED',
    `${what} declares ${declaredS.toFixed(1)} s (${declaredFrames} frames at ${+plan.fps.toFixed(3)} fps) but only ${decodedS.toFixed(1)} s ` +
      `(${plan.sourceFrames} frames, ${plan.sampledFrames} sampled) could be decoded: ${Math.round((100 * (declaredS - decodedS)) / declaredS)} % of it is missing`,
  );
}

export function videoMetadataOf(probe: VideoProbe): VideoMetadata {
  return {
    duration_s: probe.durationS,
    fps: probe.fps,
    width: probe.width,
    height: probe.height,
    codec: probe.codec,
    frame_count: probe.frameCount,
    pix_fmt: probe.pixFmt,
    bit_rate: probe.bitRate ?? null,
  };
}

/** What a batch-extracted event carries forward from the ingestion (an ingestion or a segment request has it). */
export type VideoLineage = Pick<VideoIngested, 'video_id' | 'run_id' | 'source_uri'> & {
  options: Pick<VideoIngested['options'], 'stages' | 'detectors' | 'transform'>;
};

/** The batch-extracted event of one batch: deterministic apart from occurred_at. */
export function batchExtractedOf(input: {
  ingested: VideoLineage;
  plan: SamplingPlan;
  batchIndex: number;
  frameIndices: number[];
  artifactUri: string;
  video: VideoMetadata;
  sessionMetadata: Record<string, string>;
  occurredAt: number;
}): Output<'batch-extracted'> {
  const { ingested, plan, batchIndex, frameIndices } = input;
  const value: BatchExtracted = {
    event_id: deterministicEventId('batch-extracted', ingested.video_id, ...runParts(ingested.run_id), batchIndex, extractorVersion),
    occurred_at: input.occurredAt,
    producer: { name: 'extract', version: extractorVersion },
    video_id: ingested.video_id,
    run_id: ingested.run_id,
    batch_index: batchIndex,
    batch_count: plan.batchCount,
    frame_start: frameIndices[0] ?? 0,
    frame_end: frameIndices[frameIndices.length - 1] ?? 0,
    frame_indices: frameIndices,
    timestamps_s: frameIndices.map((f) => frameTimestamp(plan, f)),
    artifact_uri: input.artifactUri,
    video: input.video,
    source_uri: ingested.source_uri,
    session_metadata: input.sessionMetadata,
    extractor_version: extractorVersion,
    // Later stages (detect, ocr, render) decide from this whether the video asked for them.
    stages: ingested.options.stages,
    detectors: ingested.options.detectors,
    transform: ingested.options.transform,
  };
  return { event: 'batch-extracted', key: batchKey(ingested.video_id, batchIndex), value };
}

/**
 * Session metadata from a TAR bundle's JSON, flattened to strings (`{"match":{"map":"x"}}` →
 * `match.map = x`). What the ingestion event says wins over the bundle on the same key.
 */
export function mergeSessionMetadata(fromEvent: Record<string, string>, fromBundle: unknown): Record<string, string> {
  const flat: Record<string, string> = {};
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    } else if (path) {
      flat[path] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  };
  walk(fromBundle, '');
  return { ...flat, ...fromEvent };
}
