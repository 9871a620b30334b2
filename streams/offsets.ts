import { legacyConsumerGroupStates, type Admin } from '@platformatic/kafka';
import type { Logger } from '../common/logger.ts';
import type { KafkaClient } from './kafka-client.ts';

export type PartitionOffsets = { partition: number; low: bigint; high: bigint };

/** Per partition of each topic, its first and next offsets now (low and high watermarks). */
export function topicOffsets(kafka: KafkaClient, topics: string[]): Promise<Map<string, PartitionOffsets[]>> {
  return kafka.admin((admin) => topicOffsetsWith(admin, topics));
}

/** topicOffsets on an Admin the caller holds (several reads, one connection). */
export async function topicOffsetsWith(admin: Admin, topics: string[]): Promise<Map<string, PartitionOffsets[]>> {
  const request = await offsetsAt(admin, topics);
  const [lows, highs] = await Promise.all([request(earliest), request(latest)]);
  const result = new Map<string, PartitionOffsets[]>();
  for (const topic of highs) {
    const low = new Map((lows.find((t) => t.name === topic.name)?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
    result.set(
      topic.name,
      topic.partitions
        .map((p) => ({ partition: p.partitionIndex, low: low.get(p.partitionIndex) ?? 0n, high: p.offset }))
        .sort((a, b) => a.partition - b.partition),
    );
  }
  return result;
}

/** Per `topic/partition`, the offset after the last record now in the topic. */
export async function endOffsets(kafka: KafkaClient, topics: string[]): Promise<Map<string, string>> {
  const ends = new Map<string, string>();
  for (const [topic, partitions] of await topicOffsets(kafka, topics)) for (const p of partitions) ends.set(`${topic}/${p.partition}`, String(p.high));
  return ends;
}

/** Per `topic/partition`, the offset a consumer group has committed (partitions it never committed on are left out). */
export function committedOffsets(kafka: KafkaClient, groupId: string, topics?: string[]): Promise<Map<string, bigint>> {
  return kafka.admin((admin) => committedOffsetsWith(admin, groupId, topics));
}

/** committedOffsets on an Admin the caller holds. */
export async function committedOffsetsWith(admin: Admin, groupId: string, topics?: string[]): Promise<Map<string, bigint>> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [topics ? { groupId, topics: await topicPartitions(admin, topics) } : groupId] });
  const committed = new Map<string, bigint>();
  for (const topic of group?.topics ?? []) {
    for (const p of topic.partitions) if (p.committedOffset >= 0n) committed.set(`${topic.name}/${p.partitionIndex}`, p.committedOffset);
  }
  return committed;
}

// Kafka's special timestamps for listOffsets: the earliest offset still kept, and the next one to be written.
const earliest = -2n;
const latest = -1n;

/** After one metadata read: for a timestamp, every partition's first offset at or after it (-1 when none). */
async function offsetsAt(admin: Admin, topics: string[]) {
  const metadata = await admin.metadata({ topics });
  return (timestamp: bigint) =>
    admin.listOffsets({
      topics: topics.map((name) => ({
        name,
        partitions: Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, partitionIndex) => ({ partitionIndex, timestamp })),
      })),
    });
}

async function topicPartitions(admin: Admin, topics: string[]) {
  const metadata = await admin.metadata({ topics });
  return topics.map((name) => ({ name, partitionIndexes: Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, i) => i) }));
}

/** How far a consumer group has committed, against the given end offsets: done and total records. */
export async function groupProgress(
  kafka: KafkaClient,
  groupId: string,
  ends: Map<string, string>,
): Promise<{ done: number; total: number; caughtUp: boolean }> {
  const topics = [...new Set([...ends.keys()].map((key) => key.slice(0, key.lastIndexOf('/'))))];
  const committed = await committedOffsets(kafka, groupId, topics);
  let done = 0;
  let total = 0;
  let caughtUp = true;
  for (const [key, endText] of ends) {
    const end = BigInt(endText);
    const at = committed.get(key) ?? -1n;
    total += Number(end);
    done += Number(at < 0n ? 0n : at > end ? end : at);
    if (end > 0n && at < end) caughtUp = false;
  }
  return { done, total, caughtUp };
}

/**
 * Waits until a group has committed every partition up to the given ends. Judged on committed
 * offsets, not on what one instance saw: a group already at the end when it joins gets no batch.
 */
export async function waitForGroup(
  kafka: KafkaClient,
  groupId: string,
  ends: Map<string, string>,
  timeoutMs: number,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await groupProgress(kafka, groupId, ends);
    onProgress?.(progress.done, progress.total);
    if (progress.caughtUp) return;
    if (Date.now() > deadline) throw new Error(`${groupId} did not catch up within ${timeoutMs} ms (${progress.done}/${progress.total} records)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Points a new consumer group at a timestamp; a group that has committed offsets is left alone. */
export async function startGroupAt(kafka: KafkaClient, groupId: string, topic: string, timestamp: number, log: Logger): Promise<void> {
  await kafka.admin(async (admin) => {
    if ((await committedOffsetsWith(admin, groupId, [topic])).size > 0) {
      log.info({ timestamp }, 'group already has offsets: continuing from them, not from the timestamp');
      return;
    }
    const at = await offsetsAt(admin, [topic]);
    // A timestamp past the last record answers -1: start at the end then.
    const [[found], [end]] = await Promise.all([at(BigInt(timestamp)), at(latest)]);
    const ends = new Map((end?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
    const partitionOffsets = (found?.partitions ?? []).map((p) => ({
      partition: p.partitionIndex,
      offset: p.offset >= 0n ? p.offset : (ends.get(p.partitionIndex) ?? 0n),
    }));
    await admin.alterConsumerGroupOffsets({ groupId, topics: [{ name: topic, partitionOffsets }] });
    log.info({ timestamp, partitions: partitionOffsets.map((p) => `${p.partition}@${p.offset}`) }, 'group starts at timestamp');
  });
}

/** A consumer group's state (`Empty`, `Stable`, `Dead` for one that does not exist, …) and how many members it has. */
export async function groupState(kafka: KafkaClient, groupId: string): Promise<{ state: string; members: number }> {
  const groups = await kafka.admin((admin) => admin.describeGroups({ groups: [groupId] }));
  const group = groups.get(groupId);
  // Newer brokers answer STABLE, EMPTY…: said the way Kafka's tools and older answers do (Stable, Empty…).
  const state = String(group?.state ?? 'Dead');
  return { state: (legacyConsumerGroupStates as Record<string, string>)[state] ?? state, members: group?.members.size ?? 0 };
}

/** Moves a consumer group (with no members) to the first offset still in each partition of these topics. */
export async function rewindGroup(kafka: KafkaClient, groupId: string, topics: string[]): Promise<void> {
  await kafka.admin(async (admin) => {
    const offsets = await topicOffsetsWith(admin, topics);
    await admin.alterConsumerGroupOffsets({
      groupId,
      topics: [...offsets].map(([name, partitions]) => ({ name, partitionOffsets: partitions.map((p) => ({ partition: p.partition, offset: p.low })) })),
    });
  });
}
