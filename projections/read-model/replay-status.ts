import type { ReplayRequested } from '../../schemas/index.ts';
import { param, type ClickHouse } from '../clickhouse-client.ts';

export type ReplayState = 'queued' | 'running' | 'completed' | 'failed';

export type ReplayStatus = {
  replay_id: string;
  /** checks, detect or ocr. */
  stage: string;
  check_version: string;
  /** For detect and ocr: the model asked for (NAME[@VERSION]), then, once completed, the version computed (NAME@VERSION). */
  model: string | null;
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
};

/** How far a running replay's consumer group is (from Kafka): passed in, so this module only reads ClickHouse. */
export type ReplayProgressOf = (request: Pick<ReplayRequested, 'stage' | 'check_version' | 'replay_id' | 'target_offsets'>) => Promise<{ done: number }>;

/**
 * A replay's status: the request and its completion from ClickHouse (the replays projection), the
 * live progress in between from the replay group's committed offsets. Null for an unknown id.
 */
export async function replayStatus(clickhouse: ClickHouse, replayId: string, liveProgress: ReplayProgressOf): Promise<ReplayStatus | null> {
  const requested = await clickhouse.select<{
    replay_id: string;
    stage: string;
    model: string;
    check_version: string;
    from_ms: string | number | null;
    video_prefix: string;
    target_partitions: number[];
    target_offsets: (string | number)[];
    requested_by: string;
    requested_at: string;
  }>(
    `SELECT replay_id, stage, model, check_version, toUnixTimestamp(from_timestamp) * 1000 AS from_ms, video_prefix, target_partitions, target_offsets, requested_by, toString(occurred_at) AS requested_at
     FROM replays FINAL WHERE replay_id = ${param('replay_id')}`,
    { replay_id: replayId },
  );
  const row = requested[0];
  if (!row) return null;
  const completions = await clickhouse.select<{ batches_replayed: string | number; error: string; model: string; completed_at: string }>(
    `SELECT batches_replayed, error, model, toString(occurred_at) AS completed_at FROM replay_completions FINAL WHERE replay_id = ${param('replay_id')}`,
    { replay_id: replayId },
  );
  const completion = completions[0];
  const request = {
    replay_id: row.replay_id,
    stage: row.stage,
    check_version: row.check_version,
    target_offsets: row.target_partitions.map((partition, i) => ({ partition, offset: Number(row.target_offsets[i]) })),
  };
  const total = request.target_offsets.reduce((sum, t) => sum + t.offset, 0);
  let done = total;
  let state: ReplayState = completion ? (completion.error ? 'failed' : 'completed') : 'running';
  if (!completion) {
    const progress = await liveProgress(request);
    done = progress.done;
    if (done === 0 && total > 0) state = 'queued';
  }
  return {
    replay_id: row.replay_id,
    stage: row.stage,
    check_version: row.check_version,
    model: completion?.model || row.model || null,
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

/** Whether a replay with this id was requested already (its request is projected). */
export async function replayKnown(clickhouse: ClickHouse, replayId: string): Promise<boolean> {
  const rows = await clickhouse.select<{ n: string }>(`SELECT count() AS n FROM replays WHERE replay_id = ${param('replay_id')}`, { replay_id: replayId });
  return Number(rows[0]?.n ?? 0) > 0;
}
