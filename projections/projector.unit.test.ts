import { describe, expect, it } from 'vitest';
import type { ClickHouse } from './clickhouse-client.ts';
import { JsonLines } from './json-lines.ts';
import { insertEncoded } from './projector.ts';

describe('insertEncoded', () => {
  it("inserts a batch's details before the row that says the batch is done, other tables in their order", async () => {
    const inserted: string[] = [];
    const client = { insertJsonLines: async (table: string) => void inserted.push(table) } as unknown as ClickHouse;
    const lines = () => {
      const body = new JsonLines();
      body.append({ video_id: 'v' });
      return body;
    };
    const byTable = new Map([
      ['tracked_batches', lines()],
      ['tracklets', lines()],
      ['track_points', lines()],
      ['detected_batches', lines()],
      ['detections', lines()],
    ]);
    expect(await insertEncoded(client, byTable)).toEqual({ tracklets: 1, track_points: 1, detections: 1, tracked_batches: 1, detected_batches: 1 });
    expect(inserted).toEqual(['tracklets', 'track_points', 'detections', 'tracked_batches', 'detected_batches']);
  });
});
