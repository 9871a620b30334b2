import { describe, expect, it } from 'vitest';
import { backgroundSigma, backgroundTag, decodePersonMask, defaultBackground, personShare, unitInput } from './person-mask.ts';

describe('the person mask (blur-background’s pure core)', () => {
  it('turns probabilities into alpha: background at or below low, person at or above high, a linear ramp between', () => {
    const probabilities = Float32Array.from([0, 0.3, 0.4, 0.5, 0.6, 0.7, 1, 0.05]);
    const mask = decodePersonMask(probabilities, [1, 2, 4, 1], { low: 0.3, high: 0.7 });
    expect(mask).toEqual({ width: 4, height: 2, alpha: Uint8Array.from([0, 0, 64, 128, 191, 255, 255, 0]) });
    expect(personShare(mask)).toBe(4 / 8);
  });

  it('refuses an output of another shape, a value that is not a number, and an edge that is no range', () => {
    const four = new Float32Array(4);
    expect(() => decodePersonMask(four, [1, 2, 2, 2], defaultBackground)).toThrow('selfie output must be [1, h, w, 1], got [1, 2, 2, 2]');
    expect(() => decodePersonMask(four, [1, 3, 2, 1], defaultBackground)).toThrow('selfie output holds 4 values for [1, 3, 2, 1]');
    expect(() => decodePersonMask(Float32Array.from([0, NaN, 0, 0]), [1, 2, 2, 1], defaultBackground)).toThrow('selfie output 1 is not a number');
    expect(() => decodePersonMask(four, [1, 2, 2, 1], { low: 0.7, high: 0.3 })).toThrow('the edge must be 0 ≤ low < high ≤ 1');
  });

  it('scales 8-bit channels to 0..1 for the model', () => {
    expect(Array.from(unitInput(Uint8Array.from([0, 51, 255])))).toEqual([0, 0.2, 1].map((v) => Math.fround(v)));
  });

  it('blurs with a sigma that follows the frame height (libvips takes none under 0.3)', () => {
    expect(backgroundSigma(defaultBackground, 360)).toBe(10.8);
    expect(backgroundSigma(defaultBackground, 1080)).toBe(32.4);
    expect(backgroundSigma(defaultBackground, 4)).toBe(0.3);
  });

  it('names its settings in the version: the blur, or the colour that replaces the background, then the edge', () => {
    expect(backgroundTag(defaultBackground)).toBe('b0.03-e0.3-0.7');
    expect(backgroundTag({ ...defaultBackground, blur: 0.05 })).toBe('b0.05-e0.3-0.7');
    expect(backgroundTag({ ...defaultBackground, colour: [0, 177, 64] })).toBe('c00b140-e0.3-0.7');
  });
});
