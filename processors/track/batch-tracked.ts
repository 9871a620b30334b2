import type { BatchDetected, BatchTracked } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts, type Output } from '../../schemas/envelope.ts';
import type { Tracklet } from './core/index.ts';

/** The tracker's version: its logic and settings. A change is a new version, whose tracklets sit beside the old. */
export const trackerVersion = '1.0.0';

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** The batch-tracked event of one batch. Deterministic id: video, run, batch, detection model and tracker version. */
export function batchTrackedOf(input: { detected: BatchDetected; tracklets: readonly Tracklet[]; occurredAt: number }): Output<'batch-tracked'> {
  const { detected } = input;
  const value: BatchTracked = {
    event_id: deterministicEventId(
      'batch-tracked',
      detected.video_id,
      ...runParts(detected.run_id),
      detected.batch_index,
      detected.model.name,
      detected.model.version,
      trackerVersion,
    ),
    occurred_at: input.occurredAt,
    producer: { name: 'track', version: trackerVersion },
    video_id: detected.video_id,
    run_id: detected.run_id,
    batch_index: detected.batch_index,
    batch_count: detected.batch_count,
    model: detected.model,
    tracker_version: trackerVersion,
    tracklets: input.tracklets.map((t) => ({
      tracklet: t.tracklet,
      class_id: t.classId,
      class_name: t.className,
      points: t.points.map((p) => ({ frame_index: p.frameIndex, timestamp_s: p.timestampS, box: p.box, score: p.score })),
      end_velocity: { cx: round6(t.endVelocity.cx), cy: round6(t.endVelocity.cy), w: round6(t.endVelocity.w), h: round6(t.endVelocity.h) },
    })),
  };
  return { event: 'batch-tracked', key: batchKey(detected.video_id, detected.batch_index), value };
}
