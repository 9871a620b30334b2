import { describe, expect, it } from 'vitest';
import { measureDark } from './dark-frame-share.ts';
import { asBatch, noiseFrame, solidFrame } from './synthetic-frames.ts';

describe('dark frame share', () => {
  it('given 10 frames of which 3 are solid luma 10, measures dark_ratio 0.3 and flags exactly those', () => {
    const frames = asBatch([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => solidFrame(64, 36, i % 3 === 1 ? 10 : 100)));
    const result = measureDark(frames);
    expect(result.measures).toEqual({ dark_frames: 3, dark_ratio: 0.3, mean_luma: 73, min_luma_mean: 10 });
    expect(result.flaggedFrames).toEqual([false, true, false, false, true, false, false, true, false, false]);
    expect(result.framesEvaluated).toBe(10);
  });

  it('given a frame exactly at the threshold, it is not dark (strictly below is)', () => {
    expect(measureDark([solidFrame(8, 8, 40), solidFrame(8, 8, 39)]).flaggedFrames).toEqual([false, true]);
  });

  it('given a raised threshold, mid-grey noise becomes dark', () => {
    const frames = [noiseFrame(64, 36, 1, 0, 255)];
    expect(measureDark(frames).measures.dark_frames).toBe(0);
    expect(measureDark(frames, { lumaThreshold: 200 }).measures.dark_frames).toBe(1);
  });

  it('given an explicit undefined threshold, keeps the default', () => {
    expect(measureDark([solidFrame(8, 8, 39)], { lumaThreshold: undefined }).flaggedFrames).toEqual([true]);
  });

  it('given no frames, measures finite zeros', () => {
    expect(measureDark([])).toEqual({ measures: { dark_frames: 0, dark_ratio: 0, mean_luma: 0, min_luma_mean: 0 }, framesEvaluated: 0, flaggedFrames: [] });
  });
});
