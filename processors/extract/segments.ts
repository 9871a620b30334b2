import type { ExtractSegmentRequested, VideoIngested, VideoMetadata } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts, type Output } from '../../schemas/envelope.ts';
import { extractorVersion, type SamplingPlan, type VideoLineage } from './plan.ts';

/** A segment of a video's extraction: the batches [batchStart, batchEnd) of its sampling plan. */
export interface SegmentRange {
  index: number;
  batchStart: number;
  batchEnd: number;
}

/**
 * Splits a plan into segments of whole batches, each about `segmentSeconds` of source or less, of
 * near-equal size (no runt at the end). Segment boundaries are batch boundaries, so batch indices,
 * frame numbers and timestamps stay exactly those of the unsegmented plan; ffmpeg seeks each
 * segment's decoding to the keyframe before its first frame. One segment: the whole video.
 */
export function planSegments(plan: SamplingPlan, segmentSeconds: number): SegmentRange[] {
  const whole = [{ index: 0, batchStart: 0, batchEnd: plan.batchCount }];
  if (!(segmentSeconds > 0) || plan.batchCount <= 1) return whole;
  const batchSeconds = (plan.batchSize * plan.stride) / plan.fps;
  const perSegment = Math.max(1, Math.floor(segmentSeconds / batchSeconds));
  const count = Math.ceil(plan.batchCount / perSegment);
  if (count <= 1) return whole;
  const boundary = (i: number) => Math.round((i * plan.batchCount) / count);
  return Array.from({ length: count }, (_, index) => ({ index, batchStart: boundary(index), batchEnd: boundary(index + 1) }));
}

/** The request to extract one segment: carries the whole video's plan, so no segment probes or plans again. */
export function segmentRequestedOf(input: {
  ingested: VideoIngested;
  plan: SamplingPlan;
  segment: SegmentRange;
  segmentCount: number;
  video: VideoMetadata;
  sessionMetadata: Record<string, string>;
  occurredAt: number;
}): Output<'extract-segment-requested'> {
  const { ingested, plan, segment } = input;
  const value: ExtractSegmentRequested = {
    event_id: deterministicEventId(
      'extract-segment-requested',
      ingested.video_id,
      ...runParts(ingested.run_id),
      segment.batchStart,
      segment.batchEnd,
      extractorVersion,
    ),
    occurred_at: input.occurredAt,
    producer: { name: 'extract', version: extractorVersion },
    video_id: ingested.video_id,
    run_id: ingested.run_id,
    source_uri: ingested.source_uri,
    segment_index: segment.index,
    segment_count: input.segmentCount,
    batch_start: segment.batchStart,
    batch_end: segment.batchEnd,
    batch_count: plan.batchCount,
    batch_size: plan.batchSize,
    stride: plan.stride,
    sampled_frames: plan.sampledFrames,
    source_frames: plan.sourceFrames,
    video: input.video,
    session_metadata: input.sessionMetadata,
    extractor_version: extractorVersion,
    stages: ingested.options.stages,
    detectors: ingested.options.detectors,
    transform: ingested.options.transform,
  };
  // Keyed like its first batch: a video's segments spread over partitions, hence over instances.
  return { event: 'extract-segment-requested', key: batchKey(ingested.video_id, segment.batchStart), value };
}

/** The plan, range and lineage a segment request carries, as the unsegmented path has them. */
export function segmentOf(request: ExtractSegmentRequested): { plan: SamplingPlan; range: SegmentRange; lineage: VideoLineage } {
  return {
    plan: {
      stride: request.stride,
      fps: request.video.fps,
      sourceFrames: request.source_frames,
      sampledFrames: request.sampled_frames,
      batchSize: request.batch_size,
      batchCount: request.batch_count,
    },
    range: { index: request.segment_index, batchStart: request.batch_start, batchEnd: request.batch_end },
    lineage: {
      video_id: request.video_id,
      run_id: request.run_id,
      source_uri: request.source_uri,
      options: { stages: request.stages, detectors: request.detectors, transform: request.transform },
    },
  };
}
