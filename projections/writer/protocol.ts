import type { AnyEventName } from '../../schemas/index.ts';
import type { RawRecord } from '../../streams/batch-consumer.ts';

export type { RawRecord } from '../../streams/batch-consumer.ts';

/**
 * One write, packed for the trip to the writer thread: record bodies in one transferable buffer
 * (no copy, no object per record), their coordinates in typed arrays.
 */
export interface WriteRequest {
  id: number;
  events: AnyEventName[];
  topics: string[];
  eventIndex: Uint8Array;
  topicIndex: Uint16Array;
  partitions: Int32Array;
  offsets: Float64Array;
  /** End of each body in `bodies`; -1 for a record without a value. */
  bodyEnds: Int32Array;
  bodies: ArrayBuffer;
}

export interface Undecodable {
  topic: string;
  partition: number;
  offset: string;
  message: string;
}

export type WriteReply =
  { id: number; ok: true; rowsByTable: Record<string, number>; undecodable: Undecodable[] } | { id: number; ok: false; message: string; retriable: boolean };

export function packRecords(id: number, records: RawRecord[]): WriteRequest {
  const events: AnyEventName[] = [];
  const topics: string[] = [];
  const indexOf = <T>(list: T[], item: T) => {
    const at = list.indexOf(item);
    return at >= 0 ? at : list.push(item) - 1;
  };
  const eventIndex = new Uint8Array(records.length);
  const topicIndex = new Uint16Array(records.length);
  const partitions = new Int32Array(records.length);
  const offsets = new Float64Array(records.length);
  const bodyEnds = new Int32Array(records.length);
  const size = records.reduce((sum, r) => sum + (r.value?.length ?? 0), 0);
  const bodies = new Uint8Array(size);
  let at = 0;
  records.forEach((record, i) => {
    eventIndex[i] = indexOf(events, record.event);
    topicIndex[i] = indexOf(topics, record.topic);
    partitions[i] = record.partition;
    offsets[i] = Number(record.offset);
    if (record.value) {
      bodies.set(record.value, at);
      at += record.value.length;
      bodyEnds[i] = at;
    } else {
      bodyEnds[i] = -1;
    }
  });
  return { id, events, topics, eventIndex, topicIndex, partitions, offsets, bodyEnds, bodies: bodies.buffer };
}

/** The records of a packed write, bodies as views into the one buffer. */
export function unpackRecords(request: WriteRequest): RawRecord[] {
  const bodies = Buffer.from(request.bodies);
  const records: RawRecord[] = [];
  let start = 0;
  for (let i = 0; i < request.offsets.length; i++) {
    const end = request.bodyEnds[i]!;
    records.push({
      event: request.events[request.eventIndex[i]!]!,
      topic: request.topics[request.topicIndex[i]!]!,
      partition: request.partitions[i]!,
      offset: String(request.offsets[i]!),
      value: end < 0 ? null : bodies.subarray(start, end),
    });
    if (end >= 0) start = end;
  }
  return records;
}
