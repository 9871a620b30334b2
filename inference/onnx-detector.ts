import { readFile } from 'node:fs/promises';
import type { DetectConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import { detectorSettingsTag, modelVersionString } from '../common/model-versions.ts';
import {
  cocoClassNames,
  decodeDbMap,
  decodeNanoDet,
  decodeBlazeFace,
  decodeDetr,
  decodeYolo,
  defaultDbOptions,
  dynamicInputSize,
  familyNormalisation,
  letterbox,
  parseClassNames,
  preprocessBatch,
  toChannelsLast,
  type InputGeometry,
} from './decoders/detection/index.ts';
import { floatOutput, loadOnnxModel, ort, runSession } from './onnx-session.ts';
import { serialised } from './serial.ts';
import type { Detection, Detector, ModelInfo, RgbImage } from '../schemas/vision.ts';

/** Class names from the configured file (wins) or list; a nanodet model given neither has COCO's. */
export async function classNamesOf(config: Pick<DetectConfig, 'classNames' | 'classNamesFile' | 'family'>): Promise<string[]> {
  if (!config.classNamesFile) return config.classNames.length === 0 && config.family === 'nanodet' ? [...cocoClassNames] : config.classNames;
  try {
    return parseClassNames(await readFile(config.classNamesFile, 'utf8'));
  } catch (error) {
    throw new FilmroomError('CONFIG_INVALID', `FILMROOM_DETECT_CLASSES_FILE ${config.classNamesFile} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The model input size for a batch: db models take the frame's aspect, the others a fixed square. */
export function inputSizeFor(config: Pick<DetectConfig, 'family' | 'inputSize'>, image: RgbImage): { width: number; height: number } {
  return config.family === 'db' ? dynamicInputSize(image.width, image.height, config.inputSize) : { width: config.inputSize, height: config.inputSize };
}

/** Runs a whole detector over images already turned into a tensor: the part a bare-session benchmark also does. */
export interface OnnxDetector extends Detector {
  readonly session: ort.InferenceSession;
  /** The most images one session call takes (the converted NanoDet has a fixed batch of one). */
  readonly maxImagesPerCall: number;
  /** The preprocessed tensor and letterbox geometries for a batch (no model call). */
  prepare(images: RgbImage[]): { tensor: ort.Tensor; geometries: InputGeometry[] };
}

/**
 * The in-process adapter: an onnxruntime-node session on the CPU. One call runs the images as one
 * batched tensor (the caller chunks by `maxBatch`), then decodes the family's output.
 */
export async function createOnnxDetector(config: DetectConfig): Promise<OnnxDetector> {
  const { session, version } = await loadOnnxModel(config.modelPath, config.threads);
  const classNames = await classNamesOf(config);
  // The version names the weights and the decoding settings: the same file at another threshold is another version.
  const model: ModelInfo = { name: config.modelName, version: modelVersionString(version, detectorSettingsTag(config)) };
  const inputName = session.inputNames[0]!;
  const norm = familyNormalisation[config.family];

  const prepare = (images: RgbImage[]) => {
    const size = inputSizeFor(config, images[0]!);
    const geometries = images.map((image) => letterbox(image.width, image.height, size.width, size.height));
    const { data, dims } = preprocessBatch(images, geometries, norm);
    // BlazeFace came from TensorFlow: its input is channels-last.
    if (config.family === 'blazeface')
      return { tensor: new ort.Tensor('float32', toChannelsLast(data, dims), [dims[0], dims[2], dims[3], dims[1]]), geometries };
    return { tensor: new ort.Tensor('float32', data, dims), geometries };
  };

  const decode = (outputs: ort.InferenceSession.OnnxValueMapType, geometries: InputGeometry[]): Detection[][] => {
    try {
      switch (config.family) {
        case 'db': {
          const map = floatOutput(outputs, session.outputNames[0]!);
          const [n, , h, w] = map.dims as [number, number, number, number];
          if (map.dims.length !== 4 || n !== geometries.length) throw new RangeError(`db output must be [batch, 1, h, w], got [${map.dims.join(', ')}]`);
          const options = { ...defaultDbOptions, boxThreshold: config.scoreThreshold, className: classNames[0] ?? 'text' };
          return geometries.map((g, i) => decodeDbMap(map.data.subarray(i * h * w, (i + 1) * h * w), w, h, g, options));
        }
        case 'yolo': {
          const out = floatOutput(outputs, session.outputNames[0]!);
          return decodeYolo(out.data, out.dims, geometries, {
            scoreThreshold: config.scoreThreshold,
            iouThreshold: config.nmsIou,
            classNames,
            maxDetections: 300,
          });
        }
        case 'nanodet':
          return decodeNanoDet(
            session.outputNames.map((name) => floatOutput(outputs, name)),
            geometries,
            { scoreThreshold: config.scoreThreshold, iouThreshold: config.nmsIou, classNames, maxDetections: 300 },
          );
        case 'blazeface':
          return decodeBlazeFace(
            session.outputNames.map((name) => floatOutput(outputs, name)),
            geometries,
            { scoreThreshold: config.scoreThreshold, iouThreshold: config.nmsIou, className: classNames[0] ?? 'face', maxDetections: 100 },
          );
        case 'detr': {
          const names = session.outputNames;
          const boxesName = names.find((n) => /box/i.test(n)) ?? names.find((n) => outputs[n]?.dims.at(-1) === 4);
          const logitsName = names.find((n) => /logit/i.test(n)) ?? names.find((n) => n !== boxesName);
          if (!boxesName || !logitsName) throw new RangeError(`a DETR model needs a boxes and a logits output, it has ${names.join(', ')}`);
          return decodeDetr(floatOutput(outputs, boxesName), floatOutput(outputs, logitsName), geometries, {
            scoreThreshold: config.scoreThreshold,
            classNames,
            maxDetections: 300,
          });
        }
        default: {
          const unreachable: never = config.family;
          throw new TypeError(`unknown detector family ${String(unreachable)}`);
        }
      }
    } catch (error) {
      if (error instanceof FilmroomError) throw error;
      throw new FilmroomError('MODEL_FAILED', `${model.name}: cannot decode its output as ${config.family}: ${(error as Error).message}`, { cause: error });
    }
  };

  const run = serialised((tensor: ort.Tensor, count: number) => runSession(session, { [inputName]: tensor }, `${model.name} on ${count} image(s)`));
  // The converted NanoDet and BlazeFace have a fixed batch of one (their reshapes say so): their frames go one call each.
  const maxImagesPerCall = config.family === 'nanodet' || config.family === 'blazeface' ? 1 : Infinity;
  return {
    model,
    session,
    maxImagesPerCall,
    prepare,
    async detect(images) {
      const found: Detection[][] = [];
      for (let start = 0; start < images.length; start += maxImagesPerCall) {
        const chunk = images.slice(start, start + maxImagesPerCall);
        const { tensor, geometries } = prepare(chunk);
        found.push(...decode(await run(tensor, chunk.length), geometries));
      }
      return found;
    },
    close: () => session.release(),
  };
}
