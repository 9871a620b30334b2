import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../common/config.ts';
import { createOnnxDetector } from '../../onnx-detector.ts';
import type { RgbImage } from '../../../schemas/vision.ts';
import { channelMaxModel, writeTempModel } from '../../../test/support/onnx-graphs.ts';
import { decodeDbMap, defaultDbOptions } from './db-decoder.ts';
import { letterbox } from './geometry.ts';

/** A probability map with rectangles of given probability on a zero background. */
function mapWith(width: number, height: number, rects: { x: number; y: number; w: number; h: number; p: number }[]): Float32Array {
  const map = new Float32Array(width * height);
  for (const r of rects) for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) map[y * width + x] = r.p;
  return map;
}

describe('DB text-map decoding', () => {
  const geometry = letterbox(100, 50, 100, 50);
  const noUnclip = { ...defaultDbOptions, unclipRatio: 0 };

  it('given two separate confident regions, returns one box each in normalised coordinates, best first', () => {
    const map = mapWith(100, 50, [
      { x: 10, y: 10, w: 20, h: 10, p: 0.8 },
      { x: 60, y: 30, w: 30, h: 5, p: 0.95 },
    ]);
    const found = decodeDbMap(map, 100, 50, geometry, noUnclip);
    expect(found).toHaveLength(2);
    expect(found[0]!.box).toEqual({ x1: 0.6, y1: 0.6, x2: 0.9, y2: 0.7 });
    expect(found[0]!.score).toBeCloseTo(0.95);
    expect(found[1]!.box).toEqual({ x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 });
    expect(found[1]).toMatchObject({ classId: 0, className: 'text' });
  });

  it('drops regions under the box threshold and specks under the minimum size, joins diagonal neighbours (8-connected)', () => {
    const map = mapWith(100, 50, [
      { x: 5, y: 5, w: 10, h: 10, p: 0.35 }, // above the pixel threshold, under the box threshold
      { x: 40, y: 5, w: 2, h: 20, p: 0.9 }, // 2 px wide: a speck
      { x: 60, y: 10, w: 5, h: 5, p: 0.9 },
      { x: 65, y: 15, w: 5, h: 5, p: 0.9 }, // touches the previous one at a corner
    ]);
    const found = decodeDbMap(map, 100, 50, geometry, { ...noUnclip, boxThreshold: 0.4 });
    expect(found).toHaveLength(1);
    expect(found[0]!.box).toEqual({ x1: 0.6, y1: 0.2, x2: 0.7, y2: 0.4 });
    // the bounding box is half empty: its mean probability is half of 0.9
    expect(found[0]!.score).toBeCloseTo(0.45);
  });

  it('unclips a region by area * ratio / perimeter on every side', () => {
    const map = mapWith(100, 50, [{ x: 20, y: 20, w: 40, h: 10, p: 0.9 }]);
    const [only] = decodeDbMap(map, 100, 50, geometry, { ...defaultDbOptions, unclipRatio: 1.5 });
    const d = (40 * 10 * 1.5) / (2 * 50); // 6 px
    expect(only!.box.x1).toBeCloseTo((20 - d) / 100);
    expect(only!.box.y1).toBeCloseTo((20 - d) / 50);
    expect(only!.box.x2).toBeCloseTo((60 + d) / 100);
    expect(only!.box.y2).toBeCloseTo((30 + d) / 50);
  });

  it('through the real onnxruntime-node: a batched channel-max model finds the bright rectangles of two frames where they are', async () => {
    const modelPath = writeTempModel(channelMaxModel(), 'channel-max');
    const config = loadConfig({ FILMROOM_DETECT_MODEL: modelPath, FILMROOM_DETECT_FAMILY: 'db', FILMROOM_DETECT_THREADS: '1' }).detect;
    const detector = await createOnnxDetector(config);
    const frame = (rect: { x: number; y: number; w: number; h: number }): RgbImage => {
      const width = 160;
      const height = 90;
      const data = new Uint8Array(width * height * 3);
      for (let y = rect.y; y < rect.y + rect.h; y++) data.fill(255, (y * width + rect.x) * 3, (y * width + rect.x + rect.w) * 3);
      return { width, height, data };
    };
    try {
      const [first, second] = await detector.detect([frame({ x: 16, y: 10, w: 64, h: 16 }), frame({ x: 96, y: 60, w: 32, h: 20 })]);
      expect(detector.model.name).toBe('channel-max');
      // The weights' digest, then the decoding settings that change the results (input size, score threshold).
      expect(detector.model.version).toMatch(/^[0-9a-f]{12}-i\d+-s[\d.]+$/);
      expect(first).toHaveLength(1);
      expect(second).toHaveLength(1);
      // unclipped boxes contain the rectangle and grow by at most 12 px (64x16: d = 9.6 px)
      const b1 = first![0]!.box;
      expect(b1.x1).toBeLessThanOrEqual(16 / 160);
      expect(b1.x1).toBeGreaterThan(4 / 160);
      expect(b1.y2).toBeGreaterThanOrEqual(26 / 90);
      expect(b1.y2).toBeLessThan(36 / 90);
      const b2 = second![0]!.box;
      expect(b2.x1).toBeLessThanOrEqual(96 / 160);
      expect(b2.x2).toBeGreaterThanOrEqual(128 / 160);
      expect(b2.y1).toBeGreaterThan(50 / 90);
    } finally {
      await detector.close();
    }
  });
});
