import { describe, expect, it } from 'vitest';
import { assertLumaFrame, blockStatistics, columnMeans, laplacianVariance, lumaStats, meanAbsDiff, meanLuma, regionStats, rowMeans } from './frame.ts';
import { checkerboard, frameOf, letterboxed, noiseFrame, solidFrame } from './synthetic-frames.ts';

describe('luma frame helpers', () => {
  it('given a solid frame, its mean is the value and its std-dev zero', () => {
    expect(meanLuma(solidFrame(32, 16, 77))).toBe(77);
    expect(lumaStats(solidFrame(32, 16, 77))).toEqual({ mean: 77, std: 0 });
  });

  it('given a 0/255 checkerboard, region stats see half of each', () => {
    const stats = regionStats(checkerboard(16, 16, 1), 0, 0, 16, 16);
    expect(stats.mean).toBe(127.5);
    expect(stats.std).toBeCloseTo(127.5, 9);
    expect(regionStats(checkerboard(16, 16, 1), 3, 3, 3, 9)).toEqual({ mean: 0, std: 0 });
  });

  it('given bars on a bright frame, row and column means show them', () => {
    const frame = letterboxed(solidFrame(10, 8, 200), 2, 3);
    expect(Array.from(rowMeans(frame))).toEqual([0, 0, 80, 80, 80, 80, 0, 0]);
    expect(Array.from(columnMeans(frame))).toEqual([0, 0, 0, 100, 100, 100, 100, 0, 0, 0]);
  });

  it('given 8-pixel checker cells, every 8x8 block is flat; given 4-pixel cells, every block has the full range', () => {
    const aligned = blockStatistics(checkerboard(40, 24, 8), 8);
    expect([aligned.columns, aligned.rows]).toEqual([5, 3]);
    expect(Array.from(aligned.std).every((s) => s === 0)).toBe(true);
    const fine = blockStatistics(checkerboard(40, 24, 4), 8);
    expect(Array.from(fine.range).every((r) => r === 255)).toBe(true);
    expect(fine.std[0]).toBeCloseTo(127.5, 4);
  });

  it('given a one-pixel checkerboard, the Laplacian is ±1020 everywhere, so its variance is 1020²', () => {
    expect(laplacianVariance(checkerboard(20, 10, 1))).toBe(1020 * 1020);
    expect(laplacianVariance(solidFrame(20, 10, 90))).toBe(0);
  });

  it('mean absolute difference: solid 100 vs 103 is 3, a frame against itself 0, different sizes a RangeError', () => {
    expect(meanAbsDiff(solidFrame(8, 8, 100), solidFrame(8, 8, 103))).toBe(3);
    const noise = noiseFrame(64, 36, 5);
    expect(meanAbsDiff(noise, noise)).toBe(0);
    expect(() => meanAbsDiff(solidFrame(8, 8, 0), solidFrame(8, 4, 0))).toThrow(RangeError);
  });

  it('given a buffer that disagrees with the size, rejects the frame', () => {
    expect(() => assertLumaFrame(frameOf(10, 10, new Uint8Array(99)))).toThrow(/expected 10x10 = 100/);
    expect(() => assertLumaFrame(frameOf(0, 10, new Uint8Array(0)))).toThrow(RangeError);
  });

  it('seeded noise is reproducible and stays in its range', () => {
    const a = noiseFrame(64, 36, 42, 10, 20);
    expect(a.luma).toEqual(noiseFrame(64, 36, 42, 10, 20).luma);
    expect(a.luma).not.toEqual(noiseFrame(64, 36, 43, 10, 20).luma);
    expect(Math.min(...a.luma)).toBe(10);
    expect(Math.max(...a.luma)).toBe(20);
  });
});
