import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../schemas/vision.ts';
import { cropImage, pixelRect, recBatchTensor, recWidthOf } from './rec-input.ts';

/** An image whose pixel (x, y) is RGB (x, y, 7). */
function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 7], (y * width + x) * 3);
  return { width, height, data };
}

describe('recogniser input', () => {
  it('turns a normalised box into whole pixels covering it, inside the image', () => {
    expect(pixelRect({ x1: 0.1, y1: 0.25, x2: 0.35, y2: 0.5 }, 100, 40)).toEqual({ x: 10, y: 10, w: 25, h: 10 });
    expect(pixelRect({ x1: 0.999, y1: 0, x2: 1, y2: 0.001 }, 100, 40)).toEqual({ x: 99, y: 0, w: 1, h: 1 });
  });

  it('crops at full resolution, pixel for pixel', () => {
    const crop = cropImage(ramp(100, 40), { x1: 0.1, y1: 0.25, x2: 0.35, y2: 0.5 });
    expect(crop.width).toBe(25);
    expect(crop.height).toBe(10);
    expect(Array.from(crop.data.subarray(0, 3))).toEqual([10, 10, 7]);
    const last = (crop.width * crop.height - 1) * 3;
    expect(Array.from(crop.data.subarray(last, last + 3))).toEqual([34, 19, 7]);
  });

  it('resizes each crop to height 48 keeping its aspect, BGR in -1..1, right-padded with zeros to the widest crop', () => {
    const white: RgbImage = { width: 40, height: 20, data: new Uint8Array(40 * 20 * 3).fill(255) };
    const red: RgbImage = { width: 20, height: 20, data: new Uint8Array(20 * 20 * 3).map((_, i) => (i % 3 === 0 ? 255 : 0)) };
    expect(recWidthOf(white, 960)).toBe(96);
    const { data, dims } = recBatchTensor([white, red], 960);
    expect(dims).toEqual([2, 3, 48, 96]);
    const at = (n: number, c: number, y: number, x: number) => data[((n * 3 + c) * 48 + y) * 96 + x]!;
    expect(at(0, 0, 10, 95)).toBeCloseTo(1);
    // red: blue plane -1, red plane (index 2) +1 inside its 48 columns, 0 in the padding
    expect(at(1, 0, 20, 10)).toBeCloseTo(-1);
    expect(at(1, 2, 20, 47)).toBeCloseTo(1);
    expect(at(1, 2, 20, 48)).toBe(0);
    expect(at(1, 0, 47, 95)).toBe(0);
  });

  it('caps very wide crops at the maximum width', () => {
    expect(recWidthOf({ width: 1000, height: 10, data: new Uint8Array(30000) }, 320)).toBe(320);
  });
});
