import { readFile } from 'node:fs/promises';
import type { OcrConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import { ctcGreedyDecode, parseDictionary, recBatchTensor } from './decoders/text/index.ts';
import { floatOutput, loadOnnxModel, ort, runSession } from './onnx-session.ts';
import { serialised } from './serial.ts';
import type { Recognition, RgbImage, TextRecognizer } from '../schemas/vision.ts';

/** Widest recogniser input: a crop 20 times wider than high still reads; wider ones are squeezed. */
export const recMaxWidth = 960;

/**
 * The PP-OCR recogniser in this process. Crops are sorted by aspect ratio and run in batches of
 * `maxCrops`, so that each batch pads little; results come back in input order.
 */
export async function createTextRecognizer(config: OcrConfig): Promise<TextRecognizer & { readonly session: ort.InferenceSession }> {
  const { session, version } = await loadOnnxModel(config.modelPath, config.threads);
  let alphabet: string[];
  try {
    alphabet = parseDictionary(await readFile(config.dictionaryPath, 'utf8'));
  } catch (error) {
    throw new FilmroomError('MODEL_FAILED', `cannot read the OCR dictionary ${config.dictionaryPath}: ${(error as Error).message}`, { cause: error });
  }
  const model = { name: config.modelName, version };
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const run = serialised((tensor: ort.Tensor, count: number) => runSession(session, { [inputName]: tensor }, `${model.name} on ${count} crop(s)`));
  return {
    model,
    session,
    async recognize(crops, signal) {
      const order = crops.map((crop, i) => ({ i, ratio: crop.width / crop.height })).sort((a, b) => a.ratio - b.ratio);
      const results: Recognition[] = new Array(crops.length);
      for (let start = 0; start < order.length; start += config.maxCrops) {
        signal?.throwIfAborted();
        const chunk = order.slice(start, start + config.maxCrops);
        const { data, dims } = recBatchTensor(
          chunk.map((c) => crops[c.i]!),
          recMaxWidth,
        );
        const outputs = await run(new ort.Tensor('float32', data, dims), chunk.length);
        const probs = floatOutput(outputs, outputName);
        const [n, steps, classes] = probs.dims as [number, number, number];
        if (probs.dims.length !== 3 || n !== chunk.length)
          throw new FilmroomError('MODEL_FAILED', `${model.name} output must be [batch, steps, classes], got [${probs.dims.join(', ')}]`);
        chunk.forEach((c, k) => {
          results[c.i] = ctcGreedyDecode(probs.data, steps, classes, alphabet, k * steps * classes);
        });
      }
      return results;
    },
    close: () => session.release(),
  };
}

export type { RgbImage };
