import { createHash, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { TopicsConfig } from '../../common/config.ts';
import type { Producer, ReplayRequested } from '../../schemas/index.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';
import { endOffsets, groupProgress } from '../../streams/offsets.ts';
import { consumerGroupOf } from '../../streams/processor.ts';
import type { Output } from '../../schemas/envelope.ts';
import { runProcessor, type RuntimeDeps } from '../../streams/runtime.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { checkVersion, createChecksProcessor } from '../checks/index.ts';
import type { FrameSource } from '../../storage/ports.ts';

export const replayProcessorVersion = '1.0.0';

/**
 * Each replay recomputes its range with a consumer group of its own (`filmroom.checks.<version>.replay-<id>`),
 * so two replays of one version, or a replay of the version the live checks processor runs, never
 * move each other's offsets. Results are check-results of that version: the projections dedupe
 * them by natural key, so overlapping replays are harmless.
 */
export const replayGroupSuffix = (checkVersionName: string, replayId: string) => `${checkVersionName}.replay-${replayId}`;

export const replayGroupOf = (request: Pick<ReplayRequested, 'check_version' | 'replay_id'>, prefix: string) =>
  consumerGroupOf({ name: 'checks', groupSuffix: replayGroupSuffix(request.check_version, request.replay_id) }, prefix);

/** A replay id: derived from an idempotency key when one is given (same key, same replay), random otherwise. */
export function replayIdFor(idempotencyKey?: string): string {
  if (!idempotencyKey) return randomUUID().slice(0, 18);
  return `k-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`;
}

export interface ReplayRequestInput {
  replayId: string;
  checkVersion: string;
  fromTimestamp: number | null;
  videoPrefix: string | null;
  /** End offsets of batch-extracted now, per partition: the replay is done when its group reaches them. */
  targetOffsets: { partition: number; offset: number }[];
  requestedBy: string;
  producer: Producer;
  now: number;
}

/** The replay-requested event; validates the check version first (an unknown one is a usage error). */
export function replayRequestedOf(input: ReplayRequestInput): Output<'replay-requested'> {
  checkVersion(input.checkVersion);
  return {
    event: 'replay-requested',
    key: input.replayId,
    value: {
      event_id: deterministicEventId('replay-requested', input.replayId),
      occurred_at: input.now,
      producer: input.producer,
      replay_id: input.replayId,
      check_version: input.checkVersion,
      from_timestamp: input.fromTimestamp,
      video_prefix: input.videoPrefix,
      target_offsets: input.targetOffsets,
      requested_by: input.requestedBy,
    },
  };
}

/** Where batch-extracted ends now: the targets of a replay requested now. */
export async function currentReplayTargets(kafka: Kafka, topics: TopicsConfig): Promise<{ partition: number; offset: number }[]> {
  await provisionTopics(kafka, topics, ['batch-extracted']);
  const ends = await endOffsets(kafka, [topicName('batch-extracted', topics)]);
  return [...ends].map(([key, offset]) => ({ partition: Number(key.slice(key.lastIndexOf('/') + 1)), offset: Number(offset) }));
}

const targetEnds = (request: Pick<ReplayRequested, 'target_offsets'>, topics: Pick<TopicsConfig, 'prefix'>) =>
  new Map(request.target_offsets.map((t) => [`${topicName('batch-extracted', topics)}/${t.partition}`, String(t.offset)]));

/** How far a replay's consumer group is, against the targets it was given. */
export function replayProgress(kafka: Kafka, topics: TopicsConfig, request: Pick<ReplayRequested, 'check_version' | 'replay_id' | 'target_offsets'>) {
  return groupProgress(kafka, replayGroupOf(request, topics.prefix), targetEnds(request, topics));
}

export interface ReplayDeps extends RuntimeDeps {
  frameSource: FrameSource;
  kafka: Kafka;
}

/**
 * Runs one replay to its targets: a checks processor of the requested version in the replay's own
 * group, started at `from_timestamp` (or the earliest batch), stopped once its committed offsets
 * reach the targets. Reads only stored batch artifacts: no source video is downloaded or decoded.
 */
export async function runChecksReplay(
  deps: ReplayDeps,
  request: ReplayRequested,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; pollMs?: number } = {},
): Promise<{ batchesReplayed: number }> {
  checkVersion(request.check_version);
  const processor = createChecksProcessor({
    frameSource: deps.frameSource,
    version: request.check_version,
    groupSuffix: replayGroupSuffix(request.check_version, request.replay_id),
    ...(request.video_prefix ? { videoPrefix: request.video_prefix } : {}),
  });
  const running = await runProcessor(processor, deps, {
    clientId: `filmroom-replay-${request.replay_id}`,
    ...(request.from_timestamp === null ? {} : { fromTimestamp: request.from_timestamp }),
  });
  try {
    for (;;) {
      const progress = await replayProgress(deps.kafka, deps.config.topics as TopicsConfig, request);
      options.onProgress?.(progress.done, progress.total);
      if (progress.caughtUp) return { batchesReplayed: progress.total };
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('replay aborted');
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  } finally {
    await running.stop();
  }
}
