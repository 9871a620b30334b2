/**
 * inference/: the one place for model I/O. Detectors come in three adapters with one output
 * contract (types.ts): `onnx` (in-process onnxruntime-node, the default), `http` (a remote
 * inference service) and `command` (a subprocess); the wire protocol of the last two is in
 * protocol.ts. The text recogniser is the PP-OCR model, in process.
 */
import type { DetectConfig, OcrConfig } from '../common/config.ts';
import type { RetryOptions } from '../common/retry.ts';
import { createCommandDetector } from './command-detector.ts';
import { createHttpDetector } from './http-detector.ts';
import { classNamesOf, createOnnxDetector } from './onnx-detector.ts';
import { createTextRecognizer as createOnnxTextRecognizer } from './text-recognizer.ts';
import type { Detector, TextRecognizer } from '../schemas/vision.ts';

export type { Detection, Detector, ModelInfo, NormalisedBox, Recognition, RgbImage, TextRecognizer } from '../schemas/vision.ts';
export { createOnnxDetector, type OnnxDetector } from './onnx-detector.ts';
export { loadOnnxModel, modelVersionOf } from './onnx-session.ts';
export { createPersonSegmenter, type OnnxPersonSegmenter, type PersonProbabilities, type PersonSegmenter } from './person-segmenter.ts';
export { wireAnswer, type WireImage } from './protocol.ts';
export { decodeRgbImage } from './decode-image.ts';

/** The configured detector: `FILMROOM_DETECT_ADAPTER` picks onnx, http or command. */
export async function createDetector(config: DetectConfig, options: { retry?: Partial<RetryOptions> } = {}): Promise<Detector> {
  switch (config.adapter) {
    case 'onnx':
      return createOnnxDetector(config);
    case 'http':
      return createHttpDetector(config, await classNamesOf(config), options.retry);
    case 'command':
      return createCommandDetector(config, await classNamesOf(config), options.retry);
    default: {
      const unreachable: never = config.adapter;
      throw new TypeError(`unknown detector adapter ${String(unreachable)}`);
    }
  }
}

/** The PP-OCR text recogniser (in process). */
export function createTextRecognizer(config: OcrConfig): Promise<TextRecognizer> {
  return createOnnxTextRecognizer(config);
}
