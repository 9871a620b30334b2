import { describe, expect, it } from 'vitest';
import { defaultLetterboxThresholds, findContentBox, measureLetterbox } from './letterbox.ts';
import { letterboxed, noiseFrame, solidFrame } from './synthetic-frames.ts';

const noise = noiseFrame(320, 180, 7);
const onePixelY = 1 / 180;
const onePixelX = 1 / 320;

describe('letterbox', () => {
  it('given a noise frame with 20-row black bars top and bottom, flags it and finds the box within a pixel', () => {
    const result = measureLetterbox([letterboxed(noise, 20, 0)]);
    expect(result.flaggedFrames).toEqual([true]);
    expect(result.measures.letterbox_frames).toBe(1);
    expect(result.measures.content_y1_mean).toBeCloseTo(20 / 180, 2);
    expect(Math.abs(result.measures.content_y1_mean! - 20 / 180)).toBeLessThanOrEqual(onePixelY);
    expect(Math.abs(result.measures.content_y2_mean! - 160 / 180)).toBeLessThanOrEqual(onePixelY);
    expect(result.measures.content_x1_mean).toBe(0);
    expect(result.measures.content_x2_mean).toBe(1);
    expect(Math.abs(result.measures.content_ratio_mean! - 140 / 180)).toBeLessThanOrEqual(onePixelY);
  });

  it('given 40-column pillarbox bars, flags it and finds the box within a pixel', () => {
    const result = measureLetterbox([letterboxed(noise, 0, 40)]);
    expect(result.flaggedFrames).toEqual([true]);
    expect(Math.abs(result.measures.content_x1_mean! - 40 / 320)).toBeLessThanOrEqual(onePixelX);
    expect(Math.abs(result.measures.content_x2_mean! - 280 / 320)).toBeLessThanOrEqual(onePixelX);
    expect(result.measures.content_y1_mean).toBe(0);
    expect(Math.abs(result.measures.content_ratio_mean! - 240 / 320)).toBeLessThanOrEqual(onePixelX);
  });

  it('given bars on all four sides, the box excludes both', () => {
    expect(findContentBox(letterboxed(noise, 12, 30), defaultLetterboxThresholds)).toEqual({ x1: 30, y1: 12, x2: 290, y2: 168 });
  });

  it('given near-black noisy bars (codec noise 0..10), still sees them as bars', () => {
    const bars = letterboxed(noise, 20, 0);
    const noisyBars = noiseFrame(320, 180, 9, 0, 10);
    const luma = new Uint8Array(bars.luma);
    for (let i = 0; i < luma.length; i++) if (bars.luma[i] === 0) luma[i] = noisyBars.luma[i]!;
    expect(findContentBox({ ...bars, luma }, defaultLetterboxThresholds)).toEqual({ x1: 0, y1: 20, x2: 320, y2: 160 });
  });

  it('given bars thinner than 4% of the height (5 of 180 rows), measures them but does not flag', () => {
    const result = measureLetterbox([letterboxed(noise, 5, 0)]);
    expect(result.flaggedFrames).toEqual([false]);
    expect(result.measures.content_y1_mean).toBe(5 / 180);
  });

  it('given an all-black frame, it is not letterboxed and not evaluable; the means describe the full frame', () => {
    const result = measureLetterbox([solidFrame(320, 180, 0)]);
    expect(result.flaggedFrames).toEqual([false]);
    expect(result.measures).toMatchObject({ letterbox_frames: 0, letterbox_evaluable_frames: 0, content_ratio_mean: 1, content_y2_mean: 1 });
  });

  it('given a black frame with a speck of content (< 10% of the area), does not flag it', () => {
    const speck = letterboxed(noise, 70, 140);
    expect(findContentBox(speck, defaultLetterboxThresholds)).toEqual({ x1: 140, y1: 70, x2: 180, y2: 110 });
    expect(measureLetterbox([speck]).flaggedFrames).toEqual([false]);
  });

  it('given a dark scene with detail (noise 0..40), its edges are not bars', () => {
    expect(measureLetterbox([noiseFrame(320, 180, 3, 0, 40)]).flaggedFrames).toEqual([false]);
  });

  it('given a batch of one letterboxed, one full and one black frame, averages over the two evaluable ones', () => {
    const result = measureLetterbox([letterboxed(noise, 20, 0), noise, solidFrame(320, 180, 0)]);
    expect(result.flaggedFrames).toEqual([true, false, false]);
    expect(result.measures.letterbox_ratio).toBeCloseTo(1 / 3, 12);
    expect(result.measures.letterbox_evaluable_frames).toBe(2);
    expect(result.measures.content_ratio_mean).toBeCloseTo((140 / 180 + 1) / 2, 12);
    expect(result.framesEvaluated).toBe(3);
  });
});
