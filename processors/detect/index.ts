import { performance } from 'node:perf_hooks';
import type { DetectConfig } from '../../common/config.ts';
import type { Detection, Detector } from '../../schemas/vision.ts';
import type { FrameSource } from '../../storage/ports.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { batchDetectedOf, detectorVersion } from './batch-detected.ts';

export { batchDetectedOf, detectorVersion } from './batch-detected.ts';

export interface DetectOptions {
  frameSource: FrameSource;
  detector: Detector;
  config: Pick<DetectConfig, 'maxBatch'>;
}

/**
 * The detect stage: batch-extracted → batch-detected. Takes the batch's frames decoded at full
 * resolution from the frame source and runs the detector over them in batched calls of `maxBatch` frames. Videos
 * that asked for none of DETECT, OCR or RENDER get no output. An unreadable artifact or a model
 * error fails this batch only (a processing-failed event); transient model outages are retried.
 */
export function createDetectProcessor(options: DetectOptions) {
  const { detector, config } = options;
  return defineProcessor({
    name: 'detect',
    version: detectorVersion,
    input: 'batch-extracted',
    stages: ['DETECT', 'OCR', 'RENDER'],
    outputs: ['batch-detected'],
    async handle(batch, context) {
      const frames = await options.frameSource.frames(batch.artifact_uri);
      const detections: Detection[][] = [];
      let inferenceMs = 0;
      for (let start = 0; start < frames.length; start += config.maxBatch) {
        const chunk = frames.slice(start, start + config.maxBatch);
        const images = chunk.map((f) => f.rgb);
        context.signal.throwIfAborted();
        const began = performance.now();
        detections.push(...(await detector.detect(images, context.signal)));
        inferenceMs += performance.now() - began;
      }
      context.log.debug({ frames: frames.length, detections: detections.reduce((n, d) => n + d.length, 0), inferenceMs }, 'detected');
      return [batchDetectedOf({ batch, frames, detections, model: detector.model, inferenceMs, occurredAt: context.now() })];
    },
  });
}
