/** What one check measured over one batch of frames. */
export interface CheckMeasurement {
  measures: Record<string, number>;
  framesEvaluated: number;
  /** per-frame flags, same order as input */
  flaggedFrames: boolean[];
}

/** count / total, 0 for an empty batch: measures must stay finite (NaN does not survive JSON or the projections). */
export function ratio(count: number, total: number): number {
  return total > 0 ? count / total : 0;
}

export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return ratio(sum, values.length);
}

/** Smallest value, 0 for none (see ratio). */
export function minOf(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let min = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! < min) min = values[i]!;
  return min;
}

export function countFlagged(flags: readonly boolean[]): number {
  let count = 0;
  for (const flag of flags) if (flag) count++;
  return count;
}

/** Defaults overlaid with the given thresholds, where an explicit undefined keeps the default (a plain spread would not). */
export function withDefaults<T extends object>(defaults: Readonly<T>, overrides: Partial<T> | undefined): T {
  const merged = { ...defaults } as T;
  if (!overrides) return merged;
  for (const key of Object.keys(overrides) as (keyof T)[]) {
    const value = overrides[key];
    if (value !== undefined) merged[key] = value as T[keyof T];
  }
  return merged;
}
