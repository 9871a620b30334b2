import { describe, expect, it } from 'vitest';
import { packRecords, unpackRecords, type RawRecord } from './protocol.ts';

describe('projection writer protocol', () => {
  it('packs records into one transferable buffer and unpacks them unchanged, values without a body included', () => {
    const records: RawRecord[] = [
      { event: 'video-ingested', topic: 'p.filmroom.video-ingested', partition: 3, offset: '41', value: Buffer.from([0, 0, 0, 0, 7, 1, 2]) },
      { event: 'check-result', topic: 'p.filmroom.check-result', partition: 0, offset: '9007199254740991', value: null },
      { event: 'check-result', topic: 'p.filmroom.check-result', partition: 5, offset: '0', value: Buffer.alloc(0) },
      { event: 'video-ingested', topic: 'p.filmroom.video-ingested', partition: 3, offset: '42', value: Buffer.from('xyz') },
    ];
    const packed = packRecords(17, records);
    expect(packed.id).toBe(17);
    expect(packed.events).toEqual(['video-ingested', 'check-result']);
    expect(packed.bodies.byteLength).toBe(10);
    const copy = structuredClone(packed, { transfer: [packed.bodies] });
    expect(unpackRecords(copy)).toEqual(records);
  });
});
