import { describe, expect, it } from 'vitest';
import type { ProcessingOptions } from '../../schemas/index.ts';
import { batchFrameIndices, firstFrameOfBatch, frameTimestamp, mergeSessionMetadata, planSampling } from './plan.ts';

const options = (o: Partial<ProcessingOptions> = {}): ProcessingOptions => ({
  sample_fps: null,
  sample_stride: null,
  batch_size: 30,
  stages: ['EXTRACT'],
  detectors: ['objects', 'text'],
  transform: '',
  ...o,
});

describe('planSampling', () => {
  it('given neither fps nor stride, samples one frame per second', () => {
    expect(planSampling({ fps: 30, frameCount: 1800 }, options())).toEqual({
      stride: 30,
      fps: 30,
      sourceFrames: 1800,
      sampledFrames: 60,
      batchSize: 30,
      batchCount: 2,
    });
  });

  it('turns a requested fps into the nearest whole stride, and lets it win over an explicit stride', () => {
    expect(planSampling({ fps: 29.97, frameCount: 100 }, options({ sample_fps: 10, sample_stride: 7 })).stride).toBe(3);
    expect(planSampling({ fps: 25, frameCount: 100 }, options({ sample_fps: 100 })).stride).toBe(1);
    expect(planSampling({ fps: 25, frameCount: 100 }, options({ sample_stride: 7 })).stride).toBe(7);
  });

  it('counts a last, partial batch', () => {
    const plan = planSampling({ fps: 10, frameCount: 101 }, options({ sample_stride: 1, batch_size: 10 }));
    expect(plan).toMatchObject({ sampledFrames: 101, batchCount: 11 });
    expect(batchFrameIndices(plan, 10)).toEqual([100]);
    expect(batchFrameIndices(plan, 11)).toEqual([]);
  });

  it('rejects a batch size, fps or stride out of range, naming the option', () => {
    expect(() => planSampling({ fps: 30, frameCount: 10 }, options({ batch_size: 0 }))).toThrow('options.batch_size must be an integer from 1 to 1000 (got 0)');
    expect(() => planSampling({ fps: 30, frameCount: 10 }, options({ sample_fps: -1 }))).toThrow(/options.sample_fps must be positive/);
    expect(() => planSampling({ fps: 30, frameCount: 10 }, options({ sample_stride: 0 }))).toThrow(/options.sample_stride must be at least 1/);
  });
});

describe('batch frames and timestamps', () => {
  it('lists the source frames of a batch and their times at the average rate', () => {
    const plan = planSampling({ fps: 30, frameCount: 1800 }, options({ batch_size: 5 }));
    expect(batchFrameIndices(plan, 2)).toEqual([300, 330, 360, 390, 420]);
    expect(firstFrameOfBatch(plan, 2)).toBe(300);
    expect(frameTimestamp(plan, 330)).toBe(11);
    expect(frameTimestamp({ fps: 30000 / 1001 }, 1)).toBe(0.033367);
  });
});

describe('mergeSessionMetadata', () => {
  it('flattens the bundle JSON to strings and lets the ingestion win on the same key', () => {
    expect(mergeSessionMetadata({ map: 'inferno' }, { map: 'dust2', player: { name: 'ana', rank: 3 }, tags: ['a'] })).toEqual({
      map: 'inferno',
      'player.name': 'ana',
      'player.rank': '3',
      tags: '["a"]',
    });
  });
});
