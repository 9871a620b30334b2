import { param, type ClickHouse } from './clickhouse-client.ts';

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
  checked_versions: string[];
  batches_checked_per_version: (string | number)[];
}

/** job_status as the API shows it: the per-version parallel arrays become one `{version: batches}` object. */
export function presentJobStatus(row: JobStatusRow): Omit<JobStatusRow, 'checked_versions' | 'batches_checked_per_version'> & {
  batches_checked_by_version: Record<string, number>;
} {
  const { checked_versions, batches_checked_per_version, ...rest } = row;
  return { ...rest, batches_checked_by_version: Object.fromEntries(checked_versions.map((version, i) => [version, Number(batches_checked_per_version[i])])) };
}

export const terminalStates = new Set(['complete', 'failed', 'partially_failed']);

/** The job_status columns the API and CLI show, in one place. */
export const jobStatusColumns =
  'video_id, state, progress_percent, extraction_progress, detection_progress, ocr_progress, checks_progress, batches_total, failures, last_error, started_at, updated_at, eta_seconds, checked_versions, batches_checked_per_version';

export async function jobStatus(client: ClickHouse, videoId: string): Promise<JobStatusRow | undefined> {
  return (await client.select<JobStatusRow>(`SELECT ${jobStatusColumns} FROM job_status WHERE video_id = ${param('video_id')}`, { video_id: videoId }))[0];
}

/** SQL that keeps rows whose `column` starts with the bound `name` (18.16 has no startsWith). */
export const startsWithParam = (column: string, name: string) => `substring(${column}, 1, length(${param(name)})) = ${param(name)}`;
