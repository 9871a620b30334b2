import { describe, expect, it } from 'vitest';
import { presentStageTimings, stageTimingLines } from './stage-timings.ts';

describe('stage timings as the API and the CLI show them', () => {
  const rows = [
    { stage: 'detect', started_ms: '1700000001500', finished_ms: '0', seconds: 4.2, batches_done: '1', batches_total: '3', attempts: '3' },
    { stage: 'extract', started_ms: '1700000000000', finished_ms: '1700000002250', seconds: 2.25, batches_done: '3', batches_total: '3', attempts: '1' },
  ];

  it('lists stages in pipeline order with ISO times, finished null while a stage runs, counts as numbers', () => {
    expect(presentStageTimings(rows)).toEqual([
      {
        stage: 'extract',
        started_at: '2023-11-14T22:13:20.000Z',
        finished_at: '2023-11-14T22:13:22.250Z',
        seconds: 2.25,
        batches_done: 3,
        batches_total: 3,
        attempts: 1,
      },
      { stage: 'detect', started_at: '2023-11-14T22:13:21.500Z', finished_at: null, seconds: 4.2, batches_done: 1, batches_total: 3, attempts: 3 },
    ]);
  });

  it('prints one line per stage for filmroom status', () => {
    expect(stageTimingLines(presentStageTimings(rows))).toEqual([
      '  extract       2.3 s  3/3 batches, 1 attempt',
      '  detect        4.2 s so far  1/3 batches, 3 attempts',
    ]);
  });
});
