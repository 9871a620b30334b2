import { describe, expect, it } from 'vitest';
import type { BatchTracked } from '../../schemas/index.ts';
import { rowsOf } from '../../projections/rows.ts';
import { handlerContext } from '../handler-fixtures.ts';
import { boxAt, syntheticDetectedBatches, syntheticDetections } from './core/synthetic-trajectories.ts';
import { createTrackProcessor } from './index.ts';

const walker = { id: 'w', className: 'person' as const, at: (i: number) => boxAt(0.1 + 0.01 * i, 0.5, 0.06, 0.18) };
const { frames } = syntheticDetections([walker], 20);
const [first, second] = syntheticDetectedBatches({ videoId: 'v1', runId: 'r1', frames, batchSize: 10 });

describe('the track handler (no ports)', () => {
  it('given a batch-detected, emits its tracklets under an id of video, run, batch, model and tracker version', async () => {
    const processor = createTrackProcessor();
    const [output] = await processor.handle(first!, handlerContext());
    expect(output).toMatchObject({ event: 'batch-tracked', key: 'v1/0' });
    const tracked = output!.value as BatchTracked;
    expect(tracked).toMatchObject({ video_id: 'v1', run_id: 'r1', batch_index: 0, batch_count: 2, model: { name: 'synthetic-detector', version: '1' } });
    expect(tracked.tracklets).toHaveLength(1);
    expect(tracked.tracklets[0]!.points).toHaveLength(10);
    expect(tracked.tracklets[0]!.end_velocity.cx).toBeCloseTo(0.1, 1);
    const again = await processor.handle(first!, handlerContext());
    expect(again[0]!.value).toEqual(tracked);
    const [other] = await processor.handle(second!, handlerContext());
    expect((other!.value as BatchTracked).event_id).not.toBe(tracked.event_id);
    expect((await processor.handle({ ...first!, run_id: 'r2' }, handlerContext()))[0]!.value.event_id).not.toBe(tracked.event_id);
  });

  it('projects the same rows for the same event twice: one per batch, tracklet and point', async () => {
    const [output] = await createTrackProcessor().handle(first!, handlerContext());
    const rows = rowsOf('batch-tracked', output!.value as BatchTracked);
    expect(rowsOf('batch-tracked', output!.value as BatchTracked)).toEqual(rows);
    const count = (table: string) => rows.filter((r) => r.table === table).length;
    expect([count('tracked_batches'), count('tracklets'), count('track_points')]).toEqual([1, 1, 10]);
    expect(rows.find((r) => r.table === 'tracklets')!.row).toMatchObject({
      video_id: 'v1',
      run_id: 'r1',
      tracker_version: '1.0.0',
      frames: 10,
      first_frame: 0,
      last_frame: 27,
    });
  });
});
