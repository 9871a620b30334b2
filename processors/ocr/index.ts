import type { S3Client } from '@aws-sdk/client-s3';
import type { OcrConfig } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import { decodeRgbImage } from '../../inference/decode-image.ts';
import type { RgbImage, TextRecognizer } from '../../schemas/vision.ts';
import { unpackBatchArtifact } from '../../storage/batch-artifact.ts';
import { getObjectBuffer, parseS3Uri } from '../../storage/object-store.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { cropImage } from '../../inference/decoders/text/index.ts';
import { regionsToRead, textsOf } from './core/index.ts';
import { ocrDoneOf, ocrVersion } from './ocr-done.ts';

export { ocrDoneOf, ocrVersion } from './ocr-done.ts';

export interface OcrOptions {
  s3: S3Client;
  recognizer: TextRecognizer;
  config: Pick<OcrConfig, 'classes' | 'minConfidence'>;
}

/**
 * The ocr stage: batch-detected → ocr-done. Crops the regions of the configured classes from the
 * batch's frames at full stored resolution and reads them. It depends on that batch's detection
 * only. Every batch-detected gets an ocr-done (with no texts when the video did not ask for OCR or
 * nothing was detected), so downstream stages see every batch.
 */
export function createOcrProcessor(options: OcrOptions) {
  const { s3, recognizer, config } = options;
  return defineProcessor({
    name: 'ocr',
    version: ocrVersion,
    input: 'batch-detected',
    outputs: ['ocr-done'],
    async handle(detected, context) {
      const regions = detected.stages.includes('OCR') ? regionsToRead(detected.frames, config.classes) : [];
      let texts: ReturnType<typeof textsOf> = [];
      if (regions.length > 0) {
        const artifact = await getObjectBuffer(s3, parseS3Uri(detected.artifact_uri));
        const { frames } = await unpackBatchArtifact(artifact, detected.artifact_uri);
        const needed = new Set(regions.map((r) => r.frameIndex));
        const images = new Map<number, RgbImage>();
        for (const frame of frames) {
          if (needed.has(frame.frameIndex))
            images.set(frame.frameIndex, await decodeRgbImage(frame.jpeg, `frame ${frame.frameIndex} of ${detected.artifact_uri}`));
        }
        const crops = regions.map((region) => {
          const image = images.get(region.frameIndex);
          if (!image) throw new FilmroomError('MALFORMED_EVENT', `${detected.artifact_uri} has no frame ${region.frameIndex}, which batch-detected names`);
          return cropImage(image, region.box);
        });
        texts = textsOf(regions, await recognizer.recognize(crops, context.signal), config.minConfidence);
      }
      context.log.debug({ regions: regions.length, texts: texts.length }, 'read');
      return [ocrDoneOf({ detected, texts, regionsEvaluated: regions.length, model: recognizer.model, occurredAt: context.now() })];
    },
  });
}
