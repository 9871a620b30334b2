import type { BatchDetected, BatchTracked } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts, type Output } from '../../schemas/envelope.ts';
import type { ModelInfo } from '../../schemas/vision.ts';
import type { NumberVote, Tracklet } from './core/index.ts';

/**
 * The tracker's version: its logic and settings, the jersey-number reading's included. A change is a
 * new version, whose tracklets sit beside the old. 1.1.0: torso crops read for jersey numbers.
 */
export const trackerVersion = '1.1.0';

/** A tracklet's jersey-number readings. */
export interface TrackletNumbers {
  votes: NumberVote[];
  framesRead: number;
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * The batch-tracked event of one batch. Deterministic id: video, run, batch, detection model, tracker
 * version and the recogniser that read numbers (when one did). `numbers` are by tracklet number.
 */
export function batchTrackedOf(input: {
  detected: BatchDetected;
  tracklets: readonly Tracklet[];
  numbers?: { reader: ModelInfo; byTracklet: ReadonlyMap<number, TrackletNumbers> };
  occurredAt: number;
}): Output<'batch-tracked'> {
  const { detected, numbers } = input;
  const value: BatchTracked = {
    event_id: deterministicEventId(
      'batch-tracked',
      detected.video_id,
      ...runParts(detected.run_id),
      detected.batch_index,
      detected.model.name,
      detected.model.version,
      trackerVersion,
      ...(numbers ? [numbers.reader.name, numbers.reader.version] : []),
    ),
    occurred_at: input.occurredAt,
    producer: { name: 'track', version: trackerVersion },
    video_id: detected.video_id,
    run_id: detected.run_id,
    batch_index: detected.batch_index,
    batch_count: detected.batch_count,
    model: detected.model,
    tracker_version: trackerVersion,
    number_reader: numbers ? { name: numbers.reader.name, version: numbers.reader.version } : null,
    tracklets: input.tracklets.map((t) => ({
      tracklet: t.tracklet,
      class_id: t.classId,
      class_name: t.className,
      points: t.points.map((p) => ({ frame_index: p.frameIndex, timestamp_s: p.timestampS, box: p.box, score: p.score })),
      end_velocity: { cx: round6(t.endVelocity.cx), cy: round6(t.endVelocity.cy), w: round6(t.endVelocity.w), h: round6(t.endVelocity.h) },
      number_votes: (numbers?.byTracklet.get(t.tracklet)?.votes ?? []).map((v) => ({
        number: v.number,
        confidence_sum: round6(v.confidenceSum),
        frames: v.frames,
      })),
      frames_read: numbers?.byTracklet.get(t.tracklet)?.framesRead ?? 0,
    })),
  };
  return { event: 'batch-tracked', key: batchKey(detected.video_id, detected.batch_index), value };
}
