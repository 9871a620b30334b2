import { describe, expect, it } from 'vitest';
import { deletionRow } from './purge.ts';

describe('deletionRow', () => {
  it('records objects per bucket and rows per table with their totals, sorted, at the requested second', () => {
    const purged = {
      event_id: 'p1',
      occurred_at: 2,
      producer: { name: 'delete', version: 't' },
      video_id: 'v1',
      deleted_event_id: 'd1',
      requested_at: Date.UTC(2026, 0, 1, 0, 0, 0, 999),
      requested_by: 'op',
      objects_removed: { uploads: 1, artifacts: 4 },
    };
    const row = deletionRow(
      purged,
      new Map([
        ['videos', 1],
        ['batches', 2],
      ]),
      Date.UTC(2026, 0, 1, 0, 0, 5),
    );
    expect(row).toMatchObject({
      video_id: 'v1',
      deleted_event_id: 'd1',
      requested_at: '2026-01-01 00:00:00',
      requested_at_ms: purged.requested_at,
      object_buckets: ['artifacts', 'uploads'],
      object_counts: [4, 1],
      objects_removed: 5,
      row_tables: ['batches', 'videos'],
      row_counts: [2, 1],
      rows_removed: 3,
      purged_at: '2026-01-01 00:00:05',
    });
    expect(deletionRow({ ...purged, objects_removed: {} }, new Map(), 1)).toMatchObject({
      objects_removed: 0,
      rows_removed: 0,
      object_buckets: [],
      row_tables: [],
    });
  });
});
