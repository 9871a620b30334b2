import { compatibilityPartitioner } from '@platformatic/kafka';
import type { Config } from '../../common/config.ts';
import { batchKey, videoKey } from '../../schemas/envelope.ts';
import type { AnyEventName } from '../../schemas/index.ts';
import type { KafkaClient } from '../../streams/kafka-client.ts';
import { runVideoId } from './pipeline-fixture.ts';

/**
 * `waves` lists of video ids unique to this test run, each with exactly one video per partition of
 * video-ingested (found by the producer's own partitioner): every extract instance then gets its
 * share of each wave, whatever the hash would have done to a handful of names.
 */
export function oneVideoPerPartition(config: Config, waves: number): string[][] {
  const partitionOf = keyPartition(config, 'video-ingested');
  const result = Array.from({ length: waves }, () => new Array<string>(config.topics.partitions).fill(''));
  for (let i = 0; result.some((w) => w.includes('')); i++) {
    const videoId = runVideoId(config, `scale-${i}`);
    const partition = partitionOf(videoKey(videoId));
    const free = result.find((w) => w[partition] === '');
    if (free) free[partition] = videoId;
  }
  return result;
}

/** The partition of an event's topic that the producer's own partitioner sends a key to. */
export function keyPartition(config: Config, _event: AnyEventName): (key: string) => number {
  // The producer's partitioner (murmur2, as kafkajs and Java), modulo the topic's partitions as the producer takes it.
  return (key) => compatibilityPartitioner({ topic: '' }, Buffer.from(key)) % config.topics.partitions;
}

export interface GroupMember {
  memberId: string;
  partitions: number[];
}

/** The members of a consumer group and the partitions each owns, as the broker has them. */
export async function groupAssignment(kafka: KafkaClient, groupId: string): Promise<GroupMember[] & { state?: string }> {
  const groups = await kafka.admin((admin) => admin.describeGroups({ groups: [groupId] }));
  const group = groups.get(groupId);
  const members: GroupMember[] & { state?: string } = [...(group?.members.values() ?? [])].map((member) => ({
    memberId: member.id,
    partitions: [...(member.assignments?.values() ?? [])].flatMap((a) => a.partitions).sort((a, b) => a - b),
  }));
  if (group) members.state = String(group.state);
  return members;
}

/** Waits until the group is stable with `members` members that own all its partitions between them. */
export async function waitForMembers(kafka: KafkaClient, groupId: string, members: number, partitions: number, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Awaited<ReturnType<typeof groupAssignment>> = [];
  while (Date.now() < deadline) {
    last = await groupAssignment(kafka, groupId);
    const owned = new Set(last.flatMap((m) => m.partitions));
    if (last.state?.toUpperCase() === 'STABLE' && last.length === members && owned.size === partitions) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${groupId} did not reach ${members} stable members in ${timeoutMs} ms (last: ${last.state}, ${JSON.stringify(last)})`);
}

/** What one processor of one process has done, from that process's /metrics: records consumed, events produced (all topics). */
export async function processorCounts(metricsUrl: string, processor: string): Promise<{ consumed: number; produced: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = (metric: string) =>
    [...text.matchAll(new RegExp(`^${metric}\\{processor="${processor}"[,}].* (\\d+)$`, 'gm'))].reduce((total, line) => total + Number(line[1]), 0);
  return { consumed: sum('filmroom_processor_consumed_total'), produced: sum('filmroom_processor_produced_total') };
}

/**
 * The first of `candidates(0)`, `candidates(1)`, … whose segments (`extract-segment-requested`, keyed
 * by video and first batch) split evenly over the members of the extract-segments group as it is
 * assigned now: a handful of hashed keys may otherwise all land on one instance.
 */
export async function videoWithSegmentsSpread(
  kafka: KafkaClient,
  config: Config,
  groupId: string,
  segments: readonly { batchStart: number }[],
  candidates: (i: number) => string,
): Promise<string> {
  const owners = await groupAssignment(kafka, groupId);
  const partitionOf = keyPartition(config, 'extract-segment-requested');
  for (let i = 0; ; i++) {
    const videoId = candidates(i);
    const counts = owners.map((owner) => segments.filter((s) => owner.partitions.includes(partitionOf(batchKey(videoId, s.batchStart)))).length);
    if (Math.max(...counts) - Math.min(...counts) <= 1) return videoId;
  }
}
