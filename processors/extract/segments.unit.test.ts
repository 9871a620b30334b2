import { describe, expect, it } from 'vitest';
import type { ProcessingOptions } from '../../schemas/index.ts';
import { batchFrameIndices, planSampling, type SamplingPlan } from './plan.ts';
import { planSegments, segmentOf, segmentRequestedOf } from './segments.ts';
import { videoIngestedOf } from '../ingest/video-ingested.ts';

const options = (o: Partial<ProcessingOptions> = {}): ProcessingOptions => ({
  sample_fps: null,
  sample_stride: null,
  batch_size: 30,
  stages: ['EXTRACT', 'DETECT'],
  detectors: ['objects'],
  transform: '',
  ...o,
});

// A 3-hour game at 30 fps, 1 sampled frame a second in batches of 30: 360 batches of 30 s each.
const game = planSampling({ fps: 30, frameCount: 3 * 3600 * 30 }, options());

/** Every batch index once, in order, over the segments. */
const batchesOf = (plan: SamplingPlan, seconds: number) =>
  planSegments(plan, seconds).flatMap((s) => Array.from({ length: s.batchEnd - s.batchStart }, (_, i) => s.batchStart + i));

describe('planSegments', () => {
  it('given a 3-hour game and 10-minute segments, splits it into 18 segments of 20 whole batches', () => {
    const segments = planSegments(game, 600);
    expect(segments).toHaveLength(18);
    expect(segments[0]).toEqual({ index: 0, batchStart: 0, batchEnd: 20 });
    expect(segments[17]).toEqual({ index: 17, batchStart: 340, batchEnd: 360 });
  });

  it('covers every batch exactly once, in order, whatever the segment length', () => {
    const all = Array.from({ length: game.batchCount }, (_, i) => i);
    for (const seconds of [1, 29, 30, 31, 45, 599, 600, 601, 3600, 10_799, 10_800, 10_801]) expect(batchesOf(game, seconds), `${seconds} s`).toEqual(all);
  });

  it('never makes a segment longer than asked (but at least one batch), and leaves no runt at the end', () => {
    const plan = planSampling({ fps: 25, frameCount: 25 * 1000 }, options({ sample_fps: 5, batch_size: 10 })); // 500 batches of 2 s
    const sizes = planSegments(plan, 61).map((s) => s.batchEnd - s.batchStart);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(30);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(planSegments(plan, 1).every((s) => s.batchEnd - s.batchStart === 1)).toBe(true);
  });

  it('keeps a video no longer than one segment whole, and never splits when the length is 0 (off)', () => {
    const whole = [{ index: 0, batchStart: 0, batchEnd: game.batchCount }];
    expect(planSegments(game, 0)).toEqual(whole);
    expect(planSegments(game, 3 * 3600)).toEqual(whole);
    const short = planSampling({ fps: 30, frameCount: 30 * 90 }, options());
    expect(planSegments(short, 600)).toEqual([{ index: 0, batchStart: 0, batchEnd: short.batchCount }]);
    const oneBatch = planSampling({ fps: 30, frameCount: 30 * 20 }, options());
    expect(planSegments(oneBatch, 1)).toHaveLength(1);
  });
});

describe('segment requests', () => {
  const ingested = videoIngestedOf({
    videoId: 'game-1',
    sourceUri: 's3://uploads/game-1.mp4',
    options: options(),
    uploader: 'test',
    producer: { name: 'test', version: '1' },
    now: 1,
  }).value;
  const video = { duration_s: 10_800, fps: 30, width: 1280, height: 720, codec: 'h264', frame_count: 324_000, pix_fmt: 'yuv420p', bit_rate: null };
  const requests = planSegments(game, 600).map((segment, _, all) =>
    segmentRequestedOf({ ingested, plan: game, segment, segmentCount: all.length, video, sessionMetadata: { map: 'x' }, occurredAt: 5 }),
  );

  it('carry the whole plan: a segment sees exactly the batches, frame numbers and lineage of the unsegmented plan', () => {
    for (const request of requests) {
      const { plan, range, lineage } = segmentOf(request.value);
      expect(plan).toEqual(game);
      for (let b = range.batchStart; b < range.batchEnd; b++) expect(batchFrameIndices(plan, b)).toEqual(batchFrameIndices(game, b));
      expect(lineage).toEqual({
        video_id: 'game-1',
        run_id: ingested.run_id,
        source_uri: ingested.source_uri,
        options: { stages: ['EXTRACT', 'DETECT'], detectors: ['objects'], transform: '' },
      });
    }
  });

  it('are deterministic (same ids when planned again) and keyed by their first batch, so they spread over partitions', () => {
    const again = planSegments(game, 600).map((segment) =>
      segmentRequestedOf({ ingested, plan: game, segment, segmentCount: 18, video, sessionMetadata: { map: 'x' }, occurredAt: 99 }),
    );
    expect(again.map((r) => r.value.event_id)).toEqual(requests.map((r) => r.value.event_id));
    expect(new Set(requests.map((r) => r.value.event_id)).size).toBe(18);
    expect(requests.map((r) => r.key).slice(0, 3)).toEqual(['game-1/0', 'game-1/20', 'game-1/40']);
  });
});
