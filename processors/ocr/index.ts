import type { OcrConfig } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import type { RgbImage, TextRecognizer } from '../../schemas/vision.ts';
import type { FrameSource } from '../../storage/ports.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { cropImage } from '../../inference/decoders/text/index.ts';
import { regionsToRead, textsOf } from './core/index.ts';
import { ocrDoneOf, ocrVersion } from './ocr-done.ts';

export { ocrDoneOf, ocrVersion } from './ocr-done.ts';

export interface OcrOptions {
  frameSource: FrameSource;
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
  const { recognizer, config } = options;
  return defineProcessor({
    name: 'ocr',
    version: ocrVersion,
    input: 'batch-detected',
    outputs: ['ocr-done'],
    async handle(detected, context) {
      const regions = detected.stages.includes('OCR') ? regionsToRead(detected.frames, config.classes) : [];
      let texts: ReturnType<typeof textsOf> = [];
      if (regions.length > 0) {
        const frames = await options.frameSource.frames(detected.artifact_uri);
        const images = new Map<number, RgbImage>(frames.map((frame) => [frame.frameIndex, frame.rgb]));
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
