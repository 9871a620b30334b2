import { describe, expect, it } from 'vitest';
import { measureBlur } from './blur.ts';
import { laplacianVariance } from './frame.ts';
import { blurred, noiseFrame, solidFrame } from './synthetic-frames.ts';

const sharp = noiseFrame(320, 180, 1);
// Two box-blur passes approach a Gaussian, i.e. an out-of-focus lens.
const soft = blurred(sharp, 2, 2);

describe('blur', () => {
  it('given a sharp noise frame and its blurred copy, the blurred one has a far lower Laplacian variance and only it is flagged', () => {
    expect(laplacianVariance(soft)).toBeLessThan(laplacianVariance(sharp) / 1000);
    const result = measureBlur([sharp, soft]);
    expect(result.flaggedFrames).toEqual([false, true]);
    expect(result.measures.blurry_frames).toBe(1);
    expect(result.measures.blurry_ratio).toBe(0.5);
    expect(result.measures.laplacian_variance_min).toBe(laplacianVariance(soft));
    expect(result.measures.laplacian_variance_mean).toBe((laplacianVariance(sharp) + laplacianVariance(soft)) / 2);
  });

  it('given flat and black frames, does not judge them: not flagged and left out of the variance measures', () => {
    const result = measureBlur([solidFrame(320, 180, 0), solidFrame(320, 180, 128), sharp]);
    expect(result.flaggedFrames).toEqual([false, false, false]);
    expect(result.measures.blur_evaluable_frames).toBe(1);
    expect(result.measures.laplacian_variance_min).toBe(laplacianVariance(sharp));
    expect(result.framesEvaluated).toBe(3);
  });

  it('given a mild blur, the threshold decides', () => {
    const mild = blurred(sharp, 1);
    expect(measureBlur([mild]).flaggedFrames).toEqual([false]);
    expect(measureBlur([mild], { minLaplacianVariance: 5000 }).flaggedFrames).toEqual([true]);
  });

  it('given only flat frames, measures zeros', () => {
    expect(measureBlur([solidFrame(32, 32, 50)]).measures).toEqual({
      blurry_frames: 0,
      blurry_ratio: 0,
      blur_evaluable_frames: 0,
      laplacian_variance_mean: 0,
      laplacian_variance_min: 0,
    });
  });
});
