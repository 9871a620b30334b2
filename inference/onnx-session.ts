import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { FilmroomError } from '../common/errors.ts';

export { ort };

/** A model's version: the first 12 hex digits of its file's SHA-256, so a changed file is a new version. */
export function modelVersionOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

export interface LoadedModel {
  session: ort.InferenceSession;
  version: string;
}

/**
 * Opens an ONNX model in this process on the CPU with `threads` intra-op threads that do not spin
 * between calls (one inter-op thread: filmroom runs one inference at a time per session). A missing
 * or unreadable model is a permanent MODEL_FAILED naming the file.
 */
export async function loadOnnxModel(path: string, threads: number): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new FilmroomError('MODEL_FAILED', `cannot read ONNX model ${path}: ${(error as Error).message}`, { cause: error, context: { model: path } });
  }
  try {
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      // Without spinning, the intra-op threads sleep between calls instead of busy-waiting for the
      // next one: the model is as fast (26.4 vs 26.6 ms a NanoDet frame here), and the core is left
      // to the JPEG decoding and tensor making that come between calls (12 % less CPU, 3 % faster).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return { session, version: modelVersionOf(bytes) };
  } catch (error) {
    throw new FilmroomError('MODEL_FAILED', `${path} is not a loadable ONNX model: ${(error as Error).message}`, { cause: error, context: { model: path } });
  }
}

/** Runs a session, turning runtime failures (wrong shapes, bad values) into a permanent MODEL_FAILED. */
export async function runSession(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  what: string,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  try {
    return await session.run(feeds);
  } catch (error) {
    throw new FilmroomError('MODEL_FAILED', `${what} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** A float32 output by name (or the first one), with its dims. */
export function floatOutput(outputs: ort.InferenceSession.OnnxValueMapType, name: string): { data: Float32Array; dims: readonly number[] } {
  const tensor = outputs[name];
  if (!tensor || tensor.type !== 'float32') throw new FilmroomError('MODEL_FAILED', `model output '${name}' is missing or not float32`);
  return { data: tensor.data as Float32Array, dims: tensor.dims };
}
