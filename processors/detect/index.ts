import { performance } from 'node:perf_hooks';
import type { DetectConfig } from '../../common/config.ts';
import type { DetectorKind } from '../../schemas/index.ts';
import type { Detection, Detector, ModelInfo } from '../../schemas/vision.ts';
import type { FrameSource } from '../../storage/ports.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { batchDetectedOf, detectorVersion } from './batch-detected.ts';

export { batchDetectedOf, detectorVersion } from './batch-detected.ts';

/** Every detector kind, in the order their detections are listed and their models named. */
export const detectorKinds: readonly DetectorKind[] = ['objects', 'text', 'faces'];

export interface DetectOptions {
  frameSource: FrameSource;
  /** The detectors this process runs, by the kind an ingestion asks for (`objects`, `text`, `faces`). */
  detectors: Partial<Record<DetectorKind, Detector>>;
  config: Pick<DetectConfig, 'maxBatch'>;
  /**
   * Set when this processor carries out a replay (`filmroom replay detect`): it runs in the replay's
   * own consumer group, only over the videos of the prefix that asked for the replayed detector's
   * kind, and marks its results with the replay id (no stage builds on them, the job status does
   * not count them).
   */
  replay?: DetectReplay;
}

export interface DetectReplay {
  replayId: string;
  videoPrefix: string | null;
  /** The kind whose model the replay changes; the video's other detectors run as configured, so the combined version names both. */
  kind: DetectorKind;
}

/**
 * The model of a batch's detections: the one detector's, or for several (in kind order) their
 * names and versions joined by '+', so the event id and the rows still name what produced them.
 */
export function combinedModel(models: readonly ModelInfo[]): ModelInfo {
  if (models.length === 1) return models[0]!;
  return { name: models.map((m) => m.name).join('+'), version: models.map((m) => m.version).join('+') };
}

/**
 * The detect stage: batch-extracted → batch-detected. Takes the batch's frames decoded at full
 * resolution from the frame source and runs each detector the ingestion asked for (`detectors`,
 * default objects and text) over them in batched calls of `maxBatch` frames; a frame's detections
 * are those of all of them (OCR reads only the text detector's classes). Videos
 * that asked for none of DETECT, OCR or RENDER get no output. An unreadable artifact or a model
 * error fails this batch only (a processing-failed event); transient model outages are retried.
 */
export function createDetectProcessor(options: DetectOptions) {
  const { config } = options;
  const kinds = detectorKinds.filter((kind) => options.detectors[kind] !== undefined);
  if (kinds.length === 0) throw new TypeError('the detect stage needs at least one detector');
  return defineProcessor({
    name: 'detect',
    version: detectorVersion,
    ...(options.replay ? { groupSuffix: `replay-${options.replay.replayId}` } : {}),
    input: 'batch-extracted',
    stages: ['DETECT', 'OCR', 'RENDER'],
    outputs: ['batch-detected'],
    async handle(batch, context) {
      const { replay } = options;
      if (replay && (!batch.video_id.startsWith(replay.videoPrefix ?? '') || !batch.detectors.includes(replay.kind))) return [];
      const frames = await options.frameSource.frames(batch.artifact_uri);
      // Kind order, not the order asked: the same detectors always give the same model name.
      const chosen = kinds.filter((kind) => batch.detectors.includes(kind)).map((kind) => options.detectors[kind]!);
      const detections: Detection[][] = frames.map(() => []);
      let inferenceMs = 0;
      for (const detector of chosen) {
        for (let start = 0; start < frames.length; start += config.maxBatch) {
          const chunk = frames.slice(start, start + config.maxBatch);
          context.signal.throwIfAborted();
          const began = performance.now();
          const found = await detector.detect(
            chunk.map((f) => f.rgb),
            context.signal,
          );
          inferenceMs += performance.now() - began;
          found.forEach((list, i) => detections[start + i]!.push(...list));
        }
      }
      context.log.debug({ frames: frames.length, detections: detections.reduce((n, d) => n + d.length, 0), inferenceMs }, 'detected');
      const model = chosen.length > 0 ? combinedModel(chosen.map((d) => d.model)) : { name: 'none', version: 'none' };
      return [batchDetectedOf({ batch, frames, detections, model, inferenceMs, occurredAt: context.now(), replayId: replay?.replayId ?? null })];
    },
  });
}
