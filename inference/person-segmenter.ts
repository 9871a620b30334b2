import sharp from 'sharp';
import type { PersonSegmentConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import { modelVersionString } from '../common/model-versions.ts';
import type { ModelInfo, RgbImage } from '../schemas/vision.ts';
import { unitInput } from './decoders/transform/person-mask.ts';
import { floatOutput, loadOnnxModel, ort, runSession } from './onnx-session.ts';
import { serialised } from './serial.ts';

/** Person probabilities at the model's resolution (0..1, row order), for one frame. */
export interface PersonProbabilities {
  data: Float32Array;
  dims: readonly number[];
}

/** Finds people in frames: one probability map per frame. Its owner (the process's composition root) closes it. */
export interface PersonSegmenter {
  readonly model: ModelInfo;
  segment(images: readonly RgbImage[], signal?: AbortSignal): Promise<PersonProbabilities[]>;
  close(): Promise<void>;
}

/** The in-process selfie segmenter, with what a bare-session benchmark needs too. */
export interface OnnxPersonSegmenter extends PersonSegmenter {
  readonly session: ort.InferenceSession;
  /** The model's input for one frame: resized to 256×256 (stretched, as MediaPipe does), in 0..1, channels last. */
  prepare(image: RgbImage): Promise<ort.Tensor>;
}

/**
 * MediaPipe Selfie Segmentation (models/person-segmenter/selfie.onnx) in process on the CPU. The
 * frame is stretched to the model's square with libvips (its 196,608 bytes are then scaled to
 * 0..1: libvips' own `linear` rounds back to 8 bits). The model has a fixed batch of one: one call
 * a frame, one call at a time per process.
 */
export async function createPersonSegmenter(config: PersonSegmentConfig): Promise<OnnxPersonSegmenter> {
  const { session, version } = await loadOnnxModel(config.modelPath, config.threads);
  const model: ModelInfo = { name: config.modelName, version: modelVersionString(version, `i${config.inputSize}`) };
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const size = config.inputSize;

  const prepare = async (image: RgbImage) => {
    const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
    const data = await sharp(image.data, raw).resize(size, size, { fit: 'fill' }).raw().toBuffer();
    if (data.length !== size * size * 3)
      throw new FilmroomError('MODEL_FAILED', `${model.name}: the resized frame holds ${data.length} bytes, not ${size}×${size}×3`);
    return new ort.Tensor('float32', unitInput(data), [1, size, size, 3]);
  };
  const run = serialised((tensor: ort.Tensor) => runSession(session, { [inputName]: tensor }, `${model.name} on one frame`));

  return {
    model,
    session,
    prepare,
    async segment(images, signal) {
      const maps: PersonProbabilities[] = [];
      for (const image of images) {
        signal?.throwIfAborted();
        const output = floatOutput(await run(await prepare(image)), outputName);
        // The tensor's memory belongs to onnxruntime: copy it out before the next run reuses it.
        maps.push({ data: Float32Array.from(output.data), dims: output.dims });
      }
      return maps;
    },
    close: () => session.release(),
  };
}
