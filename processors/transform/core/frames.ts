import { FilmroomError } from '../../../common/errors.ts';
import type { RgbImage } from '../../../schemas/vision.ts';

export interface Size {
  width: number;
  height: number;
}

const isWhole = (image: RgbImage) =>
  Number.isInteger(image.width) &&
  Number.isInteger(image.height) &&
  image.width > 0 &&
  image.height > 0 &&
  image.data.length === image.width * image.height * 3;

/**
 * Preprocess's validation: a batch to transform has frames, each whole 8-bit RGB, all of one size
 * (the stitched MP4 has one). Anything else is permanent: retrying reads the same artifact.
 */
export function checkBatchFrames(frames: readonly RgbImage[], what: string): Size {
  const first = frames[0];
  if (!first) throw new FilmroomError('MALFORMED_EVENT', `${what} has no frames to transform`);
  frames.forEach((frame, i) => {
    if (!isWhole(frame))
      throw new FilmroomError('MALFORMED_EVENT', `${what}: frame ${i} is not whole 8-bit RGB (${frame.width}x${frame.height}, ${frame.data.length} bytes)`);
    if (frame.width !== first.width || frame.height !== first.height) {
      throw new FilmroomError('MALFORMED_EVENT', `${what}: frame ${i} is ${frame.width}x${frame.height}, the first ${first.width}x${first.height}`);
    }
  });
  return { width: first.width, height: first.height };
}

/**
 * Postprocess's validation: the model answered one frame per input frame, each whole RGB. Sizes
 * may differ from the input (they are resized back to the source's). A wrong answer is the
 * model's fault and permanent: the same input gives the same answer.
 */
export function checkTransformedFrames(input: number, output: readonly RgbImage[], what: string): void {
  if (output.length !== input) throw new FilmroomError('MODEL_FAILED', `${what} answered ${output.length} frames for ${input}`);
  output.forEach((frame, i) => {
    if (!isWhole(frame)) throw new FilmroomError('MODEL_FAILED', `${what} answered frame ${i} that is not whole 8-bit RGB (${frame.width}x${frame.height})`);
  });
}

/** The size the model sees: the configured one, or the frames' own. */
export const modelSizeOf = (original: Size, configured: Size | undefined): Size => configured ?? original;

export const sameSize = (a: Size, b: Size) => a.width === b.width && a.height === b.height;

/**
 * The frame rate of a stitched video whose frames are the sampled ones: the source rate times
 * sampled frames per source frame over the span they cover, so the MP4 lasts as long as the
 * source span. `everyFrame` says no source frame in the span was skipped (then the source audio
 * lines up with the frames and can be cut in).
 */
export function sampledRate(sourceFps: number, frameIndices: readonly number[]): { fps: number; everyFrame: boolean } {
  const sorted = [...frameIndices].sort((a, b) => a - b);
  if (!(sourceFps > 0)) throw new FilmroomError('MALFORMED_EVENT', `the source frame rate ${sourceFps} is not positive`);
  if (sorted.length < 2) return { fps: sourceFps, everyFrame: sorted.length === 1 };
  const span = sorted[sorted.length - 1]! - sorted[0]!;
  const everyFrame = span === sorted.length - 1;
  // Rounded to microhertz: the same frames always give the same ffmpeg argument.
  return { fps: Math.round(((sourceFps * (sorted.length - 1)) / span) * 1e6) / 1e6, everyFrame };
}

/** The batches 0..count-1 not yet in `done`. */
export const missingBatches = (count: number, done: ReadonlySet<number>): number[] => Array.from({ length: count }, (_, b) => b).filter((b) => !done.has(b));
