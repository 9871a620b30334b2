import { describe, expect, it } from 'vitest';
import { InMemoryReadModel } from './in-memory.ts';

describe('the in-memory read model', () => {
  it('ranks a video’s texts by the frames they were read in, as the ClickHouse query does', async () => {
    const readModel = new InMemoryReadModel();
    const text = (value: string) => ({
      batch_index: 0,
      frame_index: 0,
      x1: 0,
      y1: 0,
      x2: 1,
      y2: 1,
      text: value,
      confidence: 1,
      model_name: 'm',
      model_version: '1',
    });
    readModel.ocrRows.set('v', [text('B'), text('A'), text('B'), text('C'), text('A'), text('B')]);
    expect(await readModel.topTexts('v', 2)).toEqual([
      { text: 'B', frames: '3' },
      { text: 'A', frames: '2' },
    ]);
  });

  it('is unready while its store is marked unavailable', async () => {
    const readModel = new InMemoryReadModel();
    await expect(readModel.ready()).resolves.toBeUndefined();
    readModel.unavailable = new Error('clickhouse down');
    await expect(readModel.ready()).rejects.toThrow('clickhouse down');
  });
});
