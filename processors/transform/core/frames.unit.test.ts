import { describe, expect, it } from 'vitest';
import { checkBatchFrames, checkTransformedFrames, missingBatches, modelSizeOf, sampledRate } from './frames.ts';

const rgb = (width: number, height: number, bytes = width * height * 3) => ({ width, height, data: new Uint8Array(bytes) });

describe('transform core', () => {
  it('validates a batch before the model: frames there, whole, all of one size', () => {
    expect(checkBatchFrames([rgb(4, 2), rgb(4, 2)], 'b')).toEqual({ width: 4, height: 2 });
    expect(() => checkBatchFrames([], 'batch 3')).toThrow('batch 3 has no frames to transform');
    expect(() => checkBatchFrames([rgb(4, 2), rgb(2, 4)], 'b')).toThrow('frame 1 is 2x4, the first 4x2');
    expect(() => checkBatchFrames([rgb(4, 2, 5)], 'b')).toThrow(/frame 0 is not whole/);
  });

  it("fails the model's answer permanently when it has another frame count or broken frames", () => {
    expect(() => checkTransformedFrames(2, [rgb(8, 8), rgb(8, 8)], 'm')).not.toThrow();
    expect(() => checkTransformedFrames(2, [rgb(8, 8)], 'model x')).toThrow(expect.objectContaining({ code: 'MODEL_FAILED', retriable: false }));
    expect(() => checkTransformedFrames(1, [rgb(8, 8, 3)], 'm')).toThrow(/frame 0 that is not whole/);
  });

  it('gives the model the configured size or the stored one', () => {
    expect(modelSizeOf({ width: 640, height: 360 }, undefined)).toEqual({ width: 640, height: 360 });
    expect(modelSizeOf({ width: 640, height: 360 }, { width: 256, height: 256 })).toEqual({ width: 256, height: 256 });
  });

  it('stitches at the sampled rate, and knows when every source frame was sampled (audio lines up)', () => {
    expect(sampledRate(30, [0, 30, 60, 90])).toEqual({ fps: 1, everyFrame: false });
    expect(sampledRate(30, [5, 4, 3, 2])).toEqual({ fps: 30, everyFrame: true });
    expect(sampledRate(29.97, [0, 3, 6])).toEqual({ fps: 9.99, everyFrame: false });
    expect(sampledRate(25, [7])).toEqual({ fps: 25, everyFrame: true });
    expect(() => sampledRate(0, [1, 2])).toThrow(/not positive/);
  });

  it('lists the batches not yet transformed', () => {
    expect(missingBatches(4, new Set([0, 2]))).toEqual([1, 3]);
    expect(missingBatches(2, new Set([1, 0]))).toEqual([]);
  });
});
