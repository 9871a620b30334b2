import { assertLumaFrames, laplacianVariance, lumaStats, type LumaFrame } from './frame.ts';
import { countFlagged, meanOf, minOf, ratio, withDefaults, type CheckMeasurement } from './measurement.ts';

export interface BlurThresholds {
  /** A frame with content is blurry when its Laplacian variance is below this. Default 50, tuned for ~320 px wide analysis frames (downscaling sharpens, so the value is size-dependent). */
  minLaplacianVariance: number;
  /** Only frames whose luma std-dev is at least this have content to be sharp or blurry. Default 8: fades, flat and black frames stay under it. */
  minContentStd: number;
}

export const defaultBlurThresholds: Readonly<BlurThresholds> = Object.freeze({ minLaplacianVariance: 50, minContentStd: 8 });

/**
 * Blur: the variance of the 3x3 Laplacian, which is high when there are sharp edges. Flat and dark frames have near-zero variance
 * without being out of focus, so only frames with content (luma std-dev ≥ `minContentStd`) are judged; the others are never
 * flagged. Limits: a sharp but low-detail picture (a smooth gradient, fog) reads as blurry, and heavy noise or grain reads as sharp.
 *
 * Measures: `blurry_frames`, `blurry_ratio` (blurry / frames), `blur_evaluable_frames` (frames with content), and
 * `laplacian_variance_mean` and `laplacian_variance_min` over the frames with content (0 when there are none).
 */
export function measureBlur(frames: readonly LumaFrame[], thresholds?: Partial<BlurThresholds>): CheckMeasurement {
  const { minLaplacianVariance, minContentStd } = withDefaults(defaultBlurThresholds, thresholds);
  assertLumaFrames(frames);
  const variances: number[] = [];
  const flaggedFrames = frames.map((frame) => {
    if (lumaStats(frame).std < minContentStd) return false;
    const variance = laplacianVariance(frame);
    variances.push(variance);
    return variance < minLaplacianVariance;
  });
  const blurryFrames = countFlagged(flaggedFrames);
  return {
    measures: {
      blurry_frames: blurryFrames,
      blurry_ratio: ratio(blurryFrames, frames.length),
      blur_evaluable_frames: variances.length,
      laplacian_variance_mean: meanOf(variances),
      laplacian_variance_min: minOf(variances),
    },
    framesEvaluated: frames.length,
    flaggedFrames,
  };
}
