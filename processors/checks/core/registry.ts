import { defaultBlurThresholds, measureBlur, type BlurThresholds } from './blur.ts';
import { defaultDarkThresholds, measureDark, type DarkThresholds } from './dark-frame-share.ts';
import type { LumaFrame } from './frame.ts';
import { defaultFrozenThresholds, measureFrozen, type FrozenThresholds } from './frozen-frames.ts';
import { defaultLetterboxThresholds, measureLetterbox, type LetterboxThresholds } from './letterbox.ts';
import type { CheckMeasurement } from './measurement.ts';
import { defaultMenuThresholds, measureMenu, type MenuThresholds } from './menu-screen.ts';

export const checkNames = ['dark', 'letterbox', 'menu', 'frozen', 'blur'] as const;
export type CheckName = (typeof checkNames)[number];

/** Full thresholds of each check. */
export interface CheckThresholdsByName {
  dark: DarkThresholds;
  letterbox: LetterboxThresholds;
  menu: MenuThresholds;
  frozen: FrozenThresholds;
  blur: BlurThresholds;
}

/** Thresholds as configured: per check, any subset; what is missing falls back to `defaultThresholds`. */
export type CheckThresholds = { [K in CheckName]?: Partial<CheckThresholdsByName[K]> };

export const defaultThresholds: Readonly<{ [K in CheckName]: Readonly<CheckThresholdsByName[K]> }> = Object.freeze({
  dark: defaultDarkThresholds,
  letterbox: defaultLetterboxThresholds,
  menu: defaultMenuThresholds,
  frozen: defaultFrozenThresholds,
  blur: defaultBlurThresholds,
});

/** A check as the processor runs it: the whole configured thresholds in, each check picking its own part. */
export type CheckFunction = (frames: readonly LumaFrame[], thresholds?: CheckThresholds) => CheckMeasurement;

// The mapped type makes the registry exhaustive: a new CheckName without an entry does not compile.
export const checkFunctions: Readonly<Record<CheckName, CheckFunction>> = Object.freeze({
  dark: (frames, thresholds = {}) => measureDark(frames, thresholds.dark),
  letterbox: (frames, thresholds = {}) => measureLetterbox(frames, thresholds.letterbox),
  menu: (frames, thresholds = {}) => measureMenu(frames, thresholds.menu),
  frozen: (frames, thresholds = {}) => measureFrozen(frames, thresholds.frozen),
  blur: (frames, thresholds = {}) => measureBlur(frames, thresholds.blur),
});

/** Runs the named checks (all by default) over one batch. */
export function runChecks(
  frames: readonly LumaFrame[],
  thresholds: CheckThresholds = {},
  names: readonly CheckName[] = checkNames,
): Partial<Record<CheckName, CheckMeasurement>> {
  const results: Partial<Record<CheckName, CheckMeasurement>> = {};
  for (const name of names) results[name] = checkFunctions[name](frames, thresholds);
  return results;
}

export function isCheckName(value: string): value is CheckName {
  return (checkNames as readonly string[]).includes(value);
}
