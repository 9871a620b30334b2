import { createHash, randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Kafka } from 'kafkajs';
import type { TopicsConfig } from '../../common/config.ts';
import { describeError } from '../../common/errors.ts';
import { param, type ClickHouse } from '../../projections/clickhouse-client.ts';
import type { Producer, ReplayRequested } from '../../schemas/index.ts';
import { deterministicEventId } from '../../streams/event-ids.ts';
import { endOffsets, groupProgress } from '../../streams/offsets.ts';
import { consumerGroupOf, defineProcessor, type Output } from '../../streams/processor.ts';
import { runProcessor, type RuntimeDeps } from '../../streams/runtime.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { checkVersion, createChecksProcessor } from '../checks/index.ts';

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
  s3: S3Client;
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
    s3: deps.s3,
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

/**
 * The replay coordinator, run by `filmroom run` (with checks): turns each replay-requested event
 * into a finished replay and a replay-completed event. The API only publishes requests; it never
 * runs processors itself. A crash mid-replay redelivers the request, and the replay's group resumes
 * from its committed offsets.
 */
export function createReplayCoordinator(deps: Omit<ReplayDeps, 'log'>) {
  return defineProcessor({
    name: 'replay',
    version: replayProcessorVersion,
    input: 'replay-requested',
    outputs: ['replay-completed'],
    async handle(request, context) {
      let batchesReplayed = 0;
      let error: string | null = null;
      try {
        context.log.info({ replay_id: request.replay_id, check_version: request.check_version }, 'replay started');
        ({ batchesReplayed } = await runChecksReplay({ ...deps, log: context.log }, request, { signal: context.signal }));
      } catch (caught) {
        if (context.signal.aborted) throw caught;
        // An unknown check version or a broken request cannot get better by retrying: report it on the replay.
        error = describeError(caught);
      }
      return [
        {
          event: 'replay-completed' as const,
          key: request.replay_id,
          value: {
            event_id: deterministicEventId('replay-completed', request.replay_id),
            occurred_at: context.now(),
            producer: { name: 'replay', version: replayProcessorVersion },
            replay_id: request.replay_id,
            check_version: request.check_version,
            batches_replayed: batchesReplayed,
            error,
          },
        },
      ];
    },
  });
}

export type ReplayState = 'queued' | 'running' | 'completed' | 'failed';

export interface ReplayStatus {
  replay_id: string;
  check_version: string;
  from: string;
  prefix: string | null;
  state: ReplayState;
  batches_done: number;
  batches_total: number;
  progress_percent: number;
  requested_by: string;
  requested_at: string;
  completed_at: string | null;
  error: string | null;
}

/**
 * A replay's status: the request and its completion from ClickHouse (the replays projection), the
 * live progress in between from the replay group's committed offsets. Null for an unknown id.
 */
export async function replayStatus(clickhouse: ClickHouse, kafka: Kafka, topics: TopicsConfig, replayId: string): Promise<ReplayStatus | null> {
  const requested = await clickhouse.select<{
    replay_id: string;
    check_version: string;
    from_ms: string | number | null;
    video_prefix: string;
    target_partitions: number[];
    target_offsets: (string | number)[];
    requested_by: string;
    requested_at: string;
  }>(
    `SELECT replay_id, check_version, toUnixTimestamp(from_timestamp) * 1000 AS from_ms, video_prefix, target_partitions, target_offsets, requested_by, toString(occurred_at) AS requested_at
     FROM replays FINAL WHERE replay_id = ${param('replay_id')}`,
    { replay_id: replayId },
  );
  const row = requested[0];
  if (!row) return null;
  const completions = await clickhouse.select<{ batches_replayed: string | number; error: string; completed_at: string }>(
    `SELECT batches_replayed, error, toString(occurred_at) AS completed_at FROM replay_completions FINAL WHERE replay_id = ${param('replay_id')}`,
    { replay_id: replayId },
  );
  const completion = completions[0];
  const request = {
    replay_id: row.replay_id,
    check_version: row.check_version,
    target_offsets: row.target_partitions.map((partition, i) => ({ partition, offset: Number(row.target_offsets[i]) })),
  };
  const total = request.target_offsets.reduce((sum, t) => sum + t.offset, 0);
  let done = total;
  let state: ReplayState = completion ? (completion.error ? 'failed' : 'completed') : 'running';
  if (!completion) {
    const progress = await replayProgress(kafka, topics, request);
    done = progress.done;
    if (done === 0 && total > 0) state = 'queued';
  }
  return {
    replay_id: row.replay_id,
    check_version: row.check_version,
    from: row.from_ms === null ? 'earliest' : new Date(Number(row.from_ms)).toISOString(),
    prefix: row.video_prefix || null,
    state,
    batches_done: done,
    batches_total: total,
    progress_percent: total === 0 ? 100 : Math.floor((1000 * done) / total) / 10,
    requested_by: row.requested_by,
    requested_at: row.requested_at,
    completed_at: completion?.completed_at ?? null,
    error: completion?.error || null,
  };
}
