import { assertLumaFrames, meanLuma, type LumaFrame } from './frame.ts';
import { countFlagged, meanOf, minOf, ratio, withDefaults, type CheckMeasurement } from './measurement.ts';

export interface DarkThresholds {
  /** A frame is dark when its mean luma (0..255) is below this. Default 40: night scenes stay above it, fades and black screens fall below. */
  lumaThreshold: number;
}

export const defaultDarkThresholds: Readonly<DarkThresholds> = Object.freeze({ lumaThreshold: 40 });

/**
 * Dark-frame share, the per-batch input to the old pipeline's `is_video_mostly_dark`: a frame is dark when its mean luma is
 * under the threshold.
 *
 * Measures: `dark_frames`, `dark_ratio` (dark / frames), `mean_luma` (mean of the per-frame means), `min_luma_mean`
 * (the darkest frame's mean). An empty batch measures zeros.
 */
export function measureDark(frames: readonly LumaFrame[], thresholds?: Partial<DarkThresholds>): CheckMeasurement {
  const { lumaThreshold } = withDefaults(defaultDarkThresholds, thresholds);
  assertLumaFrames(frames);
  const means = frames.map(meanLuma);
  const flaggedFrames = means.map((mean) => mean < lumaThreshold);
  const darkFrames = countFlagged(flaggedFrames);
  return {
    measures: {
      dark_frames: darkFrames,
      dark_ratio: ratio(darkFrames, frames.length),
      mean_luma: meanOf(means),
      min_luma_mean: minOf(means),
    },
    framesEvaluated: frames.length,
    flaggedFrames,
  };
}
