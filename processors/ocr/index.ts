import type { OcrConfig } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import { modelVersionString, ocrSettingsTag } from '../../common/model-versions.ts';
import type { ModelInfo, RgbImage, TextRecognizer } from '../../schemas/vision.ts';
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
  /**
   * Set when this processor carries out a replay (`filmroom replay ocr`): it runs in the replay's
   * own group over the pipeline's detections of the prefix's videos that asked for OCR, and marks
   * its results with the replay id (no stage builds on them, the job status does not count them).
   */
  replay?: { replayId: string; videoPrefix: string | null };
}

/** An OCR result's model: the recogniser's, its version extended with the confidence cut-off this stage applies. */
export const ocrModelOf = (recognizer: Pick<TextRecognizer, 'model'>, minConfidence: number): ModelInfo => ({
  name: recognizer.model.name,
  version: modelVersionString(recognizer.model.version, ocrSettingsTag(minConfidence)),
});

/**
 * The ocr stage: batch-detected → ocr-done. Crops the regions of the configured classes from the
 * batch's frames at full stored resolution and reads them. It depends on that batch's detection
 * only. Every batch-detected gets an ocr-done (with no texts when the video did not ask for OCR or
 * nothing was detected), so downstream stages see every batch.
 */
export function createOcrProcessor(options: OcrOptions) {
  const { recognizer, config, replay } = options;
  const model = ocrModelOf(recognizer, config.minConfidence);
  return defineProcessor({
    name: 'ocr',
    version: ocrVersion,
    ...(replay ? { groupSuffix: `replay-${replay.replayId}` } : {}),
    input: 'batch-detected',
    outputs: ['ocr-done'],
    async handle(detected, context) {
      if (replay && (!detected.video_id.startsWith(replay.videoPrefix ?? '') || !detected.stages.includes('OCR'))) return [];
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
      return [ocrDoneOf({ detected, texts, regionsEvaluated: regions.length, model, occurredAt: context.now(), replayId: replay?.replayId ?? null })];
    },
  });
}
