import type { CurrentIngestion, FailedWork } from '../../processors/retry/retry-failed-work.ts';
import { param, type ClickHouse } from '../clickhouse-client.ts';
import { inCurrentRun } from './job-status.ts';

export interface FailureFilter {
  videoId?: string;
  stage?: string;
  /** Only failures at or after this time (ISO 8601 or 'YYYY-MM-DD hh:mm:ss', UTC). */
  since?: string;
  limit: number;
}

/**
 * SQL keeping the failures that count: their (stage, batch) has not succeeded since in the same run
 * (a retry). The manifests view (migration 008) applies it in the same words; job_status_computed
 * (projections/views/job_status_computed.sql) per (stage, batch) group, without a subquery.
 */
export const unresolvedFailure = `(video_id, run_id, stage, ifNull(batch_index, -1)) NOT IN (
      SELECT video_id, run_id, 'detect', toInt32(batch_index) FROM detected_batches
      UNION ALL SELECT video_id, run_id, 'ocr', toInt32(batch_index) FROM ocr_batches
      UNION ALL SELECT video_id, run_id, 'checks', toInt32(batch_index) FROM check_results)
    AND NOT (stage = 'render' AND (video_id, run_id) IN (SELECT video_id, run_id FROM renders))`;

/** The failures that count (current runs, not succeeded since), newest first. */
export async function failedWork(client: ClickHouse, filter: FailureFilter): Promise<FailedWork[]> {
  const { videoId, stage, since, limit } = filter;
  if (!Number.isInteger(limit)) throw new TypeError('limit must be an integer');
  const where = [
    inCurrentRun,
    unresolvedFailure,
    videoId !== undefined ? `video_id = ${param('video_id')}` : '',
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
    `SELECT video_id, run_id, source_uri, container, session_keys, session_values, sample_fps, sample_stride, batch_size, stages, uploader
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
