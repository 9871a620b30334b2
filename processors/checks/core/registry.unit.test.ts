import { describe, expect, it } from 'vitest';
import { checkFunctions, checkNames, defaultThresholds, isCheckName, runChecks } from './index.ts';
import { asBatch, frameOf, noiseFrame, solidFrame } from './synthetic-frames.ts';

describe('check registry', () => {
  it('has one function per check name', () => {
    expect(Object.keys(checkFunctions).sort()).toEqual([...checkNames].sort());
    expect(isCheckName('menu')).toBe(true);
    expect(isCheckName('ocr')).toBe(false);
  });

  it('documents its defaults', () => {
    expect(defaultThresholds).toMatchObject({
      dark: { lumaThreshold: 40 },
      letterbox: { borderLuma: 24, minBorderFraction: 0.04, maxBorderStd: 6 },
      frozen: { maxMeanAbsDiff: 1.0 },
      blur: { minLaplacianVariance: 50 },
    });
  });

  it('given per-check thresholds, each check takes its own part', () => {
    const frames = asBatch([solidFrame(64, 36, 100), solidFrame(64, 36, 100)]);
    expect(checkFunctions.dark(frames).measures.dark_frames).toBe(0);
    expect(checkFunctions.dark(frames, { dark: { lumaThreshold: 150 }, frozen: { maxMeanAbsDiff: 0 } }).measures.dark_frames).toBe(2);
    const results = runChecks(frames, { dark: { lumaThreshold: 150 }, frozen: { maxMeanAbsDiff: 0 } });
    expect(results.dark?.measures.dark_frames).toBe(2);
    expect(results.frozen?.measures.frozen_frames).toBe(0);
  });

  it('given an all-black batch, it is dark but neither letterbox nor menu', () => {
    const black = solidFrame(320, 180, 0);
    const results = runChecks(asBatch([black, black, black]));
    expect(results.dark?.measures.dark_ratio).toBe(1);
    expect(results.letterbox?.measures.letterbox_frames).toBe(0);
    expect(results.menu?.measures.menu_frames).toBe(0);
    expect(results.blur?.measures.blurry_frames).toBe(0);
    expect(results.frozen?.measures.longest_frozen_run).toBe(2);
  });

  it('given only some names, runs only those', () => {
    expect(Object.keys(runChecks([noiseFrame(32, 32, 1)], {}, ['blur', 'dark'])).sort()).toEqual(['blur', 'dark']);
  });

  it('given an empty batch, every measure is finite', () => {
    for (const measurement of Object.values(runChecks([]))) {
      expect(Object.values(measurement.measures).every(Number.isFinite)).toBe(true);
      expect(measurement.framesEvaluated).toBe(0);
    }
  });

  it('given a malformed frame, every check rejects it', () => {
    const bad = frameOf(10, 10, new Uint8Array(5));
    for (const name of checkNames) expect(() => checkFunctions[name]([bad])).toThrow(RangeError);
  });
});
