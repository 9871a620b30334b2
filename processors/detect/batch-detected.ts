import type { BatchDetected, BatchExtracted } from '../../schemas/index.ts';
import type { Detection, ModelInfo } from '../../schemas/vision.ts';
import { batchKey, deterministicEventId, runParts } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';

export const detectorVersion = '1.0.0';

/** Detection runs when the video asked for it, or for a stage that needs its boxes (OCR, RENDER). */

/** Normalised coordinates rounded to 1e-6: the events stay small and identical across reruns. */
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** The batch-detected event of one batch. Deterministic id: video, batch, model and processor version. */
export function batchDetectedOf(input: {
  batch: BatchExtracted;
  frames: readonly { frameIndex: number; timestampS: number }[];
  detections: Detection[][];
  model: ModelInfo;
  inferenceMs: number;
  occurredAt: number;
  /** The replay that recomputed this batch, if one did. */
  replayId?: string | null;
}): Output<'batch-detected'> {
  const { batch, model } = input;
  const value: BatchDetected = {
    event_id: deterministicEventId('batch-detected', batch.video_id, ...runParts(batch.run_id), batch.batch_index, model.name, model.version, detectorVersion),
    occurred_at: input.occurredAt,
    producer: { name: 'detect', version: detectorVersion },
    video_id: batch.video_id,
    run_id: batch.run_id,
    batch_index: batch.batch_index,
    batch_count: batch.batch_count,
    artifact_uri: batch.artifact_uri,
    frames: input.frames.map((frame, i) => ({
      frame_index: frame.frameIndex,
      timestamp_s: frame.timestampS,
      detections: (input.detections[i] ?? []).map((d) => ({
        box: { x1: round6(d.box.x1), y1: round6(d.box.y1), x2: round6(d.box.x2), y2: round6(d.box.y2) },
        class_id: d.classId,
        class_name: d.className,
        score: d.score,
      })),
    })),
    model: { name: model.name, version: model.version },
    inference_ms: input.inferenceMs,
    stages: batch.stages,
    replay_id: input.replayId ?? null,
  };
  return { event: 'batch-detected', key: batchKey(batch.video_id, batch.batch_index), value };
}
