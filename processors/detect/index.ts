import { performance } from 'node:perf_hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DetectConfig } from '../../common/config.ts';
import { decodeRgbImage } from '../../inference/decode-image.ts';
import type { Detection, Detector } from '../../schemas/vision.ts';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { getObjectBuffer, parseS3Uri } from '../../storage/object-store.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { batchDetectedOf, detectorVersion } from './batch-detected.ts';

export { batchDetectedOf, detectionWanted, detectorVersion } from './batch-detected.ts';

export interface DetectOptions {
  s3: S3Client;
  detector: Detector;
  config: Pick<DetectConfig, 'maxBatch'>;
}

/**
 * The detect stage: batch-extracted → batch-detected. Loads the batch artifact, decodes its frames
 * at full resolution and runs the detector over them in batched calls of `maxBatch` frames. Videos
 * that asked for none of DETECT, OCR or RENDER get no output. An unreadable artifact or a model
 * error fails this batch only (a processing-failed event); transient model outages are retried.
 */
export function createDetectProcessor(options: DetectOptions) {
  const { s3, detector, config } = options;
  return defineProcessor({
    name: 'detect',
    version: detectorVersion,
    input: 'batch-extracted',
    stages: ['DETECT', 'OCR', 'RENDER'],
    outputs: ['batch-detected'],
    async handle(batch, context) {
      const artifact = await getObjectBuffer(s3, parseS3Uri(batch.artifact_uri));
      const { frames } = await unpackBatchArtifact(artifact, batch.artifact_uri);
      const detections: Detection[][] = [];
      let inferenceMs = 0;
      for (let start = 0; start < frames.length; start += config.maxBatch) {
        const chunk = frames.slice(start, start + config.maxBatch);
        const images = await Promise.all(chunk.map((f) => decodeRgbImage(f.jpeg, `frame ${f.frameIndex} of ${batch.artifact_uri}`)));
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
