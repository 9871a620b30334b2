import { describe, expect, it } from 'vitest';
import { measureFrozen } from './frozen-frames.ts';
import { asBatch, noiseFrame, solidFrame, withNoise } from './synthetic-frames.ts';

describe('frozen frames', () => {
  it('given 5 identical frames, the last 4 are frozen in one run (the first cannot be judged)', () => {
    const frame = noiseFrame(64, 36, 1);
    const result = measureFrozen(asBatch([frame, frame, frame, frame, frame]));
    expect(result.flaggedFrames).toEqual([false, true, true, true, true]);
    expect(result.measures).toEqual({ frozen_frames: 4, frozen_ratio: 1, mean_abs_diff_mean: 0, longest_frozen_run: 4 });
    expect(result.framesEvaluated).toBe(5);
  });

  it('given changing noise frames, none is frozen and the mean difference is about 256/3', () => {
    const result = measureFrozen(asBatch([1, 2, 3, 4].map((seed) => noiseFrame(160, 90, seed))));
    expect(result.measures.frozen_frames).toBe(0);
    expect(result.measures.longest_frozen_run).toBe(0);
    expect(result.measures.mean_abs_diff_mean).toBeGreaterThan(83);
    expect(result.measures.mean_abs_diff_mean).toBeLessThan(88);
  });

  it('given a, a, b, b, b, c, counts 3 frozen of 5 judged with a longest run of 2', () => {
    const [a, b, c] = [noiseFrame(64, 36, 1), noiseFrame(64, 36, 2), noiseFrame(64, 36, 3)];
    const result = measureFrozen(asBatch([a, a, b, b, b, c]));
    expect(result.flaggedFrames).toEqual([false, true, false, true, true, false]);
    expect(result.measures.frozen_ratio).toBe(3 / 5);
    expect(result.measures.longest_frozen_run).toBe(2);
  });

  it('given a still picture with ±1 codec noise, it is frozen; with ±6, it is not', () => {
    const still = noiseFrame(160, 90, 4, 60, 200);
    expect(measureFrozen([withNoise(still, 1, 1), withNoise(still, 2, 1)]).flaggedFrames).toEqual([false, true]);
    expect(measureFrozen([withNoise(still, 1, 6), withNoise(still, 2, 6)]).flaggedFrames).toEqual([false, false]);
  });

  it('given a slow fade (luma +1 per frame), the threshold decides: the default 1.0 is strict', () => {
    const fade = asBatch([100, 101, 102].map((v) => solidFrame(16, 16, v)));
    expect(measureFrozen(fade).measures.frozen_frames).toBe(0);
    expect(measureFrozen(fade, { maxMeanAbsDiff: 1.5 }).measures.frozen_frames).toBe(2);
  });

  it('given fewer than two frames, frozen_ratio is 0', () => {
    expect(measureFrozen([solidFrame(8, 8, 0)]).measures).toEqual({ frozen_frames: 0, frozen_ratio: 0, mean_abs_diff_mean: 0, longest_frozen_run: 0 });
    expect(measureFrozen([]).framesEvaluated).toBe(0);
  });
});
