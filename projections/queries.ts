import type { ClickHouseClient } from '@clickhouse/client';

/**
 * A ClickHouse string literal. The Debian 18.16 server has no server-side query parameters, so
 * values are quoted here: backslash and single quote escaped, control characters as escapes.
 * Callers validate identifiers (video ids) against their own pattern first as well.
 */
export function sqlString(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

export interface JobStatusRow {
  video_id: string;
  state: string;
  progress_percent: number;
  extraction_progress: string;
  detection_progress: string;
  ocr_progress: string;
  checks_progress: string;
  batches_total: number;
  failures: string;
  last_error: string;
  started_at: string;
  updated_at: string;
  eta_seconds: string;
}

export const terminalStates = new Set(['complete', 'failed', 'partially_failed']);

/** The job_status columns the API and CLI show, in one place. */
export const jobStatusColumns =
  'video_id, state, progress_percent, extraction_progress, detection_progress, ocr_progress, checks_progress, batches_total, failures, last_error, started_at, updated_at, eta_seconds';

export async function jobStatus(client: ClickHouseClient, videoId: string): Promise<JobStatusRow | undefined> {
  const result = await client.query({
    query: `SELECT ${jobStatusColumns} FROM job_status WHERE video_id = ${sqlString(videoId)}`,
    format: 'JSONEachRow',
  });
  return ((await result.json()) as JobStatusRow[])[0];
}
