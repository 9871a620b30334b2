import { param, type ClickHouse } from '../clickhouse-client.ts';
import { viewSelect } from '../views.ts';

/** The states of a job, as projections/views/job_status_computed.sql computes them. */
export const jobStates = ['queued', 'extracting', 'processing', 'retrying', 'complete', 'failed', 'partially_failed'] as const;
export type JobState = (typeof jobStates)[number];

export interface JobStatusRow {
  video_id: string;
  /** The current run: the latest ingestion's. */
  run_id: string;
  state: JobState;
  progress_percent: number;
  extraction_progress: string;
  detection_progress: string;
  ocr_progress: string;
  checks_progress: string;
  render_progress: string;
  /** '' unless the run asked for a transform: its batches transformed, expected and whether its MP4 is stitched. */
  transform_progress: string;
  batches_total: number;
  failures: string;
  last_error: string;
  started_at: string;
  updated_at: string;
  eta_seconds: string;
  checked_versions: string[];
  batches_checked_per_version: (string | number)[];
}

/** A job status as the API shows it: counts as numbers, the per-version parallel arrays as one `{version: batches}` object. */
export type PresentedJobStatus = Omit<JobStatusRow, 'failures' | 'eta_seconds' | 'checked_versions' | 'batches_checked_per_version'> & {
  failures: number;
  eta_seconds: number;
  batches_checked_by_version: Record<string, number>;
};

export function presentJobStatus(row: JobStatusRow): PresentedJobStatus {
  const { checked_versions, batches_checked_per_version, ...rest } = row;
  return {
    ...rest,
    batches_total: Number(row.batches_total),
    failures: Number(row.failures),
    eta_seconds: Number(row.eta_seconds),
    batches_checked_by_version: Object.fromEntries(checked_versions.map((version, i) => [version, Number(batches_checked_per_version[i])])),
  };
}

export const terminalStates: ReadonlySet<string> = new Set<JobState>(['complete', 'failed', 'partially_failed']);

/** The job_status columns the API and CLI show, in one place. */
export const jobStatusColumns =
  'video_id, run_id, state, progress_percent, extraction_progress, detection_progress, ocr_progress, checks_progress, render_progress, transform_progress, batches_total, failures, last_error, started_at, updated_at, eta_seconds, checked_versions, batches_checked_per_version';

/** job_status for the videos `videoFilter` (SQL over video_id) picks: their stored rows of job_status_latest (one per video), however many videos there are. */
const jobStatusOf = (videoFilter: string) => `(${viewSelect('job_status', videoFilter)})`;

/**
 * The point reads of several videos in one query (ids bound as `video_ids`): one stored row each, by
 * the table's key. `GET /v1/videos/:id` sends its reads batched through this (one id or several),
 * and `bench --only api` times it bare with one id.
 */
export const jobStatusManyRead = `SELECT ${jobStatusColumns} FROM ${jobStatusOf(`video_id IN (SELECT arrayJoin(${param('video_ids')}))`)}`;

/** Each of `videoIds`' status, in their order (undefined where unknown). */
export async function jobStatuses(client: ClickHouse, videoIds: readonly string[]): Promise<(JobStatusRow | undefined)[]> {
  const rows = await client.select<JobStatusRow>(jobStatusManyRead, { video_ids: [...new Set(videoIds)] });
  const byId = new Map(rows.map((row) => [row.video_id, row]));
  return videoIds.map((id) => byId.get(id));
}

/** SQL that keeps the rows of each video's current run (the latest ingestion's): superseded runs are history. */
export const inCurrentRun = '(video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)';

/** SQL that keeps rows whose `column` starts with the bound `name` (18.16 has no startsWith). */
export const startsWithParam = (column: string, name: string) => `substring(${column}, 1, length(${param(name)})) = ${param(name)}`;

/** Batches done per phase, for progress bars: the stages the video runs and each phase's count. */
export interface JobPhases {
  stages: string[];
  batches_total: number;
  batches_extracted: number;
  batches_detected: number;
  batches_ocr_done: number;
  batches_checked: number;
  /** 1 once the preview is rendered (RENDER stitches the whole video at once). */
  batches_rendered: number;
  /** The transform the run asked for ('' none) and its batches transformed. */
  transform: string;
  batches_transformed: number;
}

export async function jobPhases(client: ClickHouse, videoId: string): Promise<JobPhases | undefined> {
  const rows = await client.select<JobPhases>(
    `SELECT stages, batches_total, batches_extracted, batches_detected, batches_ocr_done, batches_checked, batches_rendered, transform, batches_transformed FROM ${jobStatusOf(`video_id = ${param('video_id')}`)}`,
    { video_id: videoId },
  );
  const row = rows[0];
  return (
    row && {
      stages: row.stages,
      batches_total: Number(row.batches_total),
      batches_extracted: Number(row.batches_extracted),
      batches_detected: Number(row.batches_detected),
      batches_ocr_done: Number(row.batches_ocr_done),
      batches_checked: Number(row.batches_checked),
      batches_rendered: Number(row.batches_rendered),
      transform: row.transform,
      batches_transformed: Number(row.batches_transformed),
    }
  );
}

export interface VideoFilter {
  state?: string;
  /** Only videos whose id starts with this. */
  prefix?: string;
  /** Only videos with results of this check version (any of their batches checked under it). */
  checkVersion?: string;
  limit: number;
  offset: number;
}

/** Videos' job status, newest first. */
export async function listVideos(client: ClickHouse, filter: VideoFilter): Promise<JobStatusRow[]> {
  const { state, prefix, checkVersion, limit, offset } = filter;
  // LIMIT takes literals only: they must be integers, checked here so nothing else reaches the SQL text.
  if (!Number.isInteger(limit) || !Number.isInteger(offset)) throw new TypeError('limit and offset must be integers');
  const where = [
    prefix ? startsWithParam('video_id', 'prefix') : '',
    state ? `state = ${param('state')}` : '',
    checkVersion ? `has(checked_versions, ${param('check_version')})` : '',
  ].filter(Boolean);
  // The page's ids come from the stored rows' few sort and filter columns (state and versions are
  // stored); only those ids' statuses are then computed with the clock (their ETA), not every video's.
  const pageIds = `SELECT video_id FROM job_status_latest FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, video_id LIMIT ${limit} OFFSET ${offset}`;
  return client.select<JobStatusRow>(`SELECT ${jobStatusColumns} FROM ${jobStatusOf(`video_id IN (${pageIds})`)} ORDER BY started_at DESC, video_id`, {
    ...(state ? { state } : {}),
    ...(prefix ? { prefix } : {}),
    ...(checkVersion ? { check_version: checkVersion } : {}),
  });
}

/** Ids at most per query: the list travels as one external-data value. */
const currentRunsChunk = 5000;

/** The current run (the latest ingestion's) of each of these ids that has a projected video-ingested event. */
export async function currentRuns(client: ClickHouse, videoIds: readonly string[]): Promise<Map<string, string>> {
  const runs = new Map<string, string>();
  for (let at = 0; at < videoIds.length; at += currentRunsChunk) {
    const ids = videoIds.slice(at, at + currentRunsChunk);
    const rows = await client.select<{ video_id: string; run_id: string }>(
      `SELECT video_id, run_id FROM videos FINAL WHERE video_id IN (SELECT arrayJoin(ids) FROM params)`,
      { ids: [...ids] },
    );
    for (const row of rows) runs.set(row.video_id, row.run_id);
  }
  return runs;
}

/** Whether a video-ingested event for this id was projected already. */
export async function videoKnown(client: ClickHouse, videoId: string): Promise<boolean> {
  const rows = await client.select<{ n: string }>(`SELECT count() AS n FROM videos WHERE video_id = ${param('video_id')}`, { video_id: videoId });
  return Number(rows[0]?.n ?? 0) > 0;
}
