import type { CurrentIngestion, FailedWork } from '../../processors/retry/retry-failed-work.ts';
import { param, type ClickHouse } from '../clickhouse-client.ts';
import { fragmentSql } from '../views.ts';
import { inCurrentRun } from './job-status.ts';

export interface FailureFilter {
  videoId?: string;
  stage?: string;
  /** Only failures at or after this time (ISO 8601 or 'YYYY-MM-DD hh:mm:ss', UTC). */
  since?: string;
  limit: number;
}

/** The failures that count (current runs, not resolved since: projections/views/fragments/unresolved_failure.sql), newest first. */
export async function failedWork(client: ClickHouse, filter: FailureFilter): Promise<FailedWork[]> {
  const { videoId, stage, since, limit } = filter;
  if (!Number.isInteger(limit)) throw new TypeError('limit must be an integer');
  const ofVideo = videoId !== undefined ? `video_id = ${param('video_id')}` : '';
  const where = [
    inCurrentRun,
    // The failures that count (projections/views/fragments/unresolved_failure.sql), read for the video asked for only.
    fragmentSql('unresolved_failure', ofVideo || '1'),
    ofVideo,
    stage !== undefined ? `stage = ${param('stage')}` : '',
    since !== undefined ? `occurred_at >= parseDateTimeBestEffort(${param('since')})` : '',
  ].filter(Boolean);
  // The text of occurred_at has its own name: an alias named occurred_at would replace the column in WHERE (a String against a DateTime).
  const rows = await client.select<Omit<FailedWork, 'occurred_at'> & { occurred_at_text: string }>(
    `SELECT video_id, run_id, stage, batch_index, error_code, message, toString(occurred_at) AS occurred_at_text, source_topic, source_partition,
       toString(source_offset) AS source_offset, source_key, payload
     FROM failures FINAL WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, video_id, stage, batch_index LIMIT ${limit}`,
    { ...(videoId !== undefined ? { video_id: videoId } : {}), ...(stage !== undefined ? { stage } : {}), ...(since !== undefined ? { since } : {}) },
  );
  return rows.map(({ occurred_at_text, ...r }) => ({
    ...r,
    occurred_at: occurred_at_text,
    source_partition: Number(r.source_partition),
    batch_index: r.batch_index === null ? null : Number(r.batch_index),
  }));
}

/** How a video's current run was ingested; undefined for an unknown video. */
export async function currentIngestion(client: ClickHouse, videoId: string): Promise<CurrentIngestion | undefined> {
  const rows = await client.select<CurrentIngestion>(
    `SELECT video_id, run_id, source_uri, container, session_keys, session_values, sample_fps, sample_stride, batch_size, stages, detectors, transform, uploader
     FROM videos FINAL WHERE video_id = ${param('video_id')}`,
    { video_id: videoId },
  );
  const row = rows[0];
  return (
    row && {
      ...row,
      sample_fps: row.sample_fps === null ? null : Number(row.sample_fps),
      sample_stride: row.sample_stride === null ? null : Number(row.sample_stride),
      batch_size: Number(row.batch_size),
    }
  );
}
