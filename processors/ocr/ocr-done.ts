import type { ModelInfo } from '../../schemas/vision.ts';
import type { BatchDetected, OcrDone, OcrText } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';

export const ocrVersion = '1.0.0';

/**
 * The ocr-done event of one batch: the texts read, and the batch's detections carried forward so a
 * later stage (render) needs nothing else. Deterministic id: video, batch, model and processor version.
 */
export function ocrDoneOf(input: {
  detected: BatchDetected;
  texts: OcrText[];
  regionsEvaluated: number;
  model: ModelInfo;
  occurredAt: number;
  /** The replay that recomputed this batch, if one did. */
  replayId?: string | null;
}): Output<'ocr-done'> {
  const { detected, model } = input;
  const value: OcrDone = {
    event_id: deterministicEventId('ocr-done', detected.video_id, ...runParts(detected.run_id), detected.batch_index, model.name, model.version, ocrVersion),
    occurred_at: input.occurredAt,
    producer: { name: 'ocr', version: ocrVersion },
    video_id: detected.video_id,
    run_id: detected.run_id,
    batch_index: detected.batch_index,
    batch_count: detected.batch_count,
    texts: input.texts,
    regions_evaluated: input.regionsEvaluated,
    model: { name: model.name, version: model.version },
    stages: detected.stages,
    detections: detected.frames,
    artifact_uri: detected.artifact_uri,
    replay_id: input.replayId ?? null,
  };
  return { event: 'ocr-done', key: batchKey(detected.video_id, detected.batch_index), value };
}
