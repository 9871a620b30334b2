import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../schemas/vision.ts';
import { familyNormalisation } from './families.ts';
import { dynamicInputSize, iou, letterbox, toSourceBox } from './geometry.ts';
import { preprocessBatch } from './preprocess.ts';

const solid = (width: number, height: number, rgb: [number, number, number]): RgbImage => {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
};

describe('letterbox geometry', () => {
  it('given a wide frame in a square input, scales it to the width and centres it vertically', () => {
    expect(letterbox(200, 100, 100, 100)).toEqual({ sourceWidth: 200, sourceHeight: 100, inputWidth: 100, inputHeight: 100, scale: 0.5, padX: 0, padY: 25 });
  });

  it('maps input pixels back to normalised source coordinates, clamped, and drops boxes entirely in the padding', () => {
    const g = letterbox(200, 100, 100, 100);
    expect(toSourceBox(g, 0, 25, 100, 75)).toEqual({ x1: 0, y1: 0, x2: 1, y2: 1 });
    expect(toSourceBox(g, 50, 0, 75, 50)).toEqual({ x1: 0.5, y1: 0, x2: 0.75, y2: 0.5 });
    expect(toSourceBox(g, 10, 0, 20, 20)).toBeNull();
  });

  it('sizes a fully convolutional input in multiples of 32 without upscaling', () => {
    expect(dynamicInputSize(640, 360, 960)).toEqual({ width: 640, height: 384 });
    expect(dynamicInputSize(1920, 1080, 960)).toEqual({ width: 960, height: 544 });
    expect(dynamicInputSize(10, 10, 960)).toEqual({ width: 32, height: 32 });
  });

  it('computes intersection over union', () => {
    expect(iou({ x1: 0, y1: 0, x2: 2, y2: 1 }, { x1: 1, y1: 0, x2: 3, y2: 1 })).toBeCloseTo(1 / 3);
    expect(iou({ x1: 0, y1: 0, x2: 1, y2: 1 }, { x1: 2, y1: 2, x2: 3, y2: 3 })).toBe(0);
  });
});

describe('preprocessBatch', () => {
  it('given two images, fills an NCHW tensor: content normalised per channel in BGR order for db, padding at the pad value', () => {
    const norm = familyNormalisation.db;
    const images = [solid(4, 2, [255, 0, 0]), solid(4, 2, [0, 0, 255])];
    const geometries = images.map((im) => letterbox(im.width, im.height, 4, 4));
    const { data, dims } = preprocessBatch(images, geometries, norm);
    expect(dims).toEqual([2, 3, 4, 4]);
    const at = (n: number, c: number, y: number, x: number) => data[((n * 3 + c) * 4 + y) * 4 + x]!;
    const value = (v: number, c: number) => (v / 255 - norm.mean[c]!) / norm.std[c]!;
    // image 0 is red: plane 0 is blue (0), plane 2 is red (255); rows 1..2 hold the content, rows 0 and 3 the padding
    expect(at(0, 0, 1, 0)).toBeCloseTo(value(0, 0), 5);
    expect(at(0, 2, 2, 3)).toBeCloseTo(value(255, 2), 5);
    expect(at(0, 2, 0, 0)).toBeCloseTo(value(0, 2), 5);
    expect(at(0, 2, 3, 3)).toBeCloseTo(value(0, 2), 5);
    // image 1 is blue
    expect(at(1, 0, 1, 1)).toBeCloseTo(value(255, 0), 5);
    expect(at(1, 2, 1, 1)).toBeCloseTo(value(0, 2), 5);
  });

  it('resizes bilinearly: a 2x1 black-white image stretched to 4 pixels keeps its ends and blends the middle', () => {
    const image: RgbImage = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 255, 255, 255]) };
    const norm = familyNormalisation.yolo;
    const { data } = preprocessBatch([image], [letterbox(2, 1, 4, 4)], norm);
    // scale 2: rows 1 and 2 are content, rows 0 and 3 padding at 114
    expect(Array.from(data.subarray(4, 8)).map((v) => Math.round(v * 255))).toEqual([0, 64, 191, 255]);
    expect(Math.round(data[0]! * 255)).toBe(114);
    expect(Math.round(data[15]! * 255)).toBe(114);
  });

  it('pads the sides of a tall image (pillarbox) and leaves its content untouched', () => {
    const norm = familyNormalisation.yolo;
    const { data } = preprocessBatch([solid(2, 4, [255, 255, 255])], [letterbox(2, 4, 4, 4)], norm);
    // plane 0, row by row: pad, white, white, pad
    for (let y = 0; y < 4; y++) expect(Array.from(data.subarray(y * 4, y * 4 + 4)).map((v) => Math.round(v * 255))).toEqual([114, 255, 255, 114]);
  });

  it('refuses images whose data does not match their size, and batches of mixed input sizes', () => {
    const bad: RgbImage = { width: 4, height: 4, data: new Uint8Array(10) };
    expect(() => preprocessBatch([bad], [letterbox(4, 4, 4, 4)], familyNormalisation.yolo)).toThrow(/expected 48/);
    const a = solid(4, 4, [1, 2, 3]);
    expect(() => preprocessBatch([a, a], [letterbox(4, 4, 4, 4), letterbox(4, 4, 8, 8)], familyNormalisation.yolo)).toThrow(/share one input size/);
  });
});
