import { assertLumaFrames, meanAbsDiff, type LumaFrame } from './frame.ts';
import { countFlagged, meanOf, ratio, withDefaults, type CheckMeasurement } from './measurement.ts';

export interface FrozenThresholds {
  /** A frame is frozen when its mean absolute luma difference to the previous frame is below this (0..255). Default 1.0: re-encoding noise of a repeated frame stays under it, motion does not. */
  maxMeanAbsDiff: number;
}

export const defaultFrozenThresholds: Readonly<FrozenThresholds> = Object.freeze({ maxMeanAbsDiff: 1.0 });

/**
 * Frozen or duplicate frames: a frame is frozen when it barely differs from the previous sampled frame of the batch. Frames are
 * sampled, so "frozen" means "unchanged across one sampling interval"; a batch boundary breaks runs, since each batch is judged alone.
 * The first frame has nothing to compare with: it is never flagged but still counts in `framesEvaluated`.
 *
 * Measures: `frozen_frames`, `frozen_ratio` (frozen / (frames − 1), 0 under two frames), `mean_abs_diff_mean` (over the
 * frames − 1 consecutive pairs), `longest_frozen_run` (most consecutive flagged frames; the still segment spans one frame more,
 * the one they repeat).
 */
export function measureFrozen(frames: readonly LumaFrame[], thresholds?: Partial<FrozenThresholds>): CheckMeasurement {
  const { maxMeanAbsDiff } = withDefaults(defaultFrozenThresholds, thresholds);
  assertLumaFrames(frames);
  const diffs: number[] = [];
  const flaggedFrames: boolean[] = [];
  let run = 0;
  let longestRun = 0;
  for (let i = 0; i < frames.length; i++) {
    const previous = frames[i - 1];
    if (!previous) {
      flaggedFrames.push(false);
      continue;
    }
    const diff = meanAbsDiff(previous, frames[i]!);
    diffs.push(diff);
    const frozen = diff < maxMeanAbsDiff;
    flaggedFrames.push(frozen);
    run = frozen ? run + 1 : 0;
    longestRun = Math.max(longestRun, run);
  }
  const frozenFrames = countFlagged(flaggedFrames);
  return {
    measures: {
      frozen_frames: frozenFrames,
      frozen_ratio: ratio(frozenFrames, frames.length - 1),
      mean_abs_diff_mean: meanOf(diffs),
      longest_frozen_run: longestRun,
    },
    framesEvaluated: frames.length,
    flaggedFrames,
  };
}
