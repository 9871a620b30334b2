import { createHash } from 'node:crypto';
import type { AnyEventName, EventTypes } from './index.ts';

/**
 * A deterministic event id: the same event name and identifying parts always give the same id, so
 * an event re-emitted after a crash is recognisably the same event. Formatted as an RFC 9562
 * UUID version 8 (custom) from SHA-256.
 */
export function deterministicEventId(event: AnyEventName, ...parts: (string | number)[]): string {
  const digest = createHash('sha256')
    .update([event, ...parts.map(String)].join('\u0000'))
    .digest();
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id parts that place an event in its run: none for events written before runs existed (so
 * their ids, and a rebuild from them, stay what they were), else the run id.
 */
export const runParts = (runId: string): string[] => (runId ? [`run:${runId}`] : []);

/** Video-level events are keyed by video id. */
export const videoKey = (videoId: string) => videoId;

/** Batch-level events are keyed by video and batch, so one long video spreads over partitions. */
export const batchKey = (videoId: string, batchIndex: number) => `${videoId}/${batchIndex}`;

/** One output event of a handler: which event, its message key, and its value. */
export type Output<O extends AnyEventName> = { [K in O]: { event: K; key: string; value: EventTypes[K] } }[O];

/** Where the input record came from. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
}
