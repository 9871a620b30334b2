import type { ClickHouseClient } from '@clickhouse/client';
import { viewSelect } from './views.ts';

/**
 * job_status, materialised (migration 014): the projectors store each video's status as
 * `job_status_computed` (projections/views/job_status_computed.sql) gives it, recomputed for the
 * videos of every insert into a table it reads, after that insert; the job_status view reads it back.
 * A status read is then one row of one table instead of the computation (~70 ms of ClickHouse CPU
 * per video on 18.16, docs/benchmarks.md#api-reads).
 */

/** The tables job_status_computed reads: an insert into one of them changes its videos' status. */
export const jobStatusInputs: ReadonlySet<string> = new Set([
  'videos',
  'batches',
  'detected_batches',
  'ocr_batches',
  'check_results',
  'renders',
  'failures',
  'retries',
  'retrying_work',
]);

/** job_status_latest's columns but `refreshed_ms`, in its order. */
const storedColumns = [
  'video_id',
  'run_id',
  'source_uri',
  'uploader',
  'stages',
  'batch_size',
  'started_at',
  'batches_total',
  'batches_extracted',
  'batches_detected',
  'batches_ocr_done',
  'batches_checked',
  'batches_rendered',
  'checked_versions',
  'batches_checked_per_version',
  'frames_extracted',
  'frames_total',
  'frames_detected',
  'regions_read',
  'regions_total',
  'failures',
  'last_error',
  'updated_at',
  'batches_expected',
  'extraction_over',
  'detection_over',
  'ocr_over',
  'checks_over',
  'render_over',
  'settled',
  'progress',
  'progress_percent',
  'state',
  'extraction_progress',
  'detection_progress',
  'ocr_progress',
  'checks_progress',
  'render_progress',
  'extracted_end_ms',
  'detect_paced',
  'ocr_paced',
  'extraction_eta_from_ms',
  'extraction_eta_rest_ms',
  'detection_eta_from_ms',
  'detection_eta_rest_ms',
  'ocr_eta_from_ms',
  'ocr_eta_rest_ms',
  'checks_eta_from_ms',
  'checks_eta_rest_ms',
  'pace_unknown',
  'occurred_at',
].join(', ');

/**
 * The ids' text per recomputation: they travel in the SQL text, once per table the computation
 * reads, and the server caps that text (max_query_size, 256 KiB).
 */
const idsTextPerQuery = 16_000;

// Video ids are checked at the edges (letters, digits, . _ -); quoting them again costs nothing.
const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The statement that recomputes the status of the videos `videoFilter` (SQL over video_id) picks,
 * versioned `refreshedMs`. Of two recomputations, the one started later started after every insert
 * acknowledged before it, so it saw them all: ReplacingMergeTree keeps the highest version.
 */
export const refreshStatement = (videoFilter: string, refreshedMs: number) =>
  `INSERT INTO job_status_latest (${storedColumns}, refreshed_ms) SELECT ${storedColumns}, toUInt64(${Math.trunc(refreshedMs)}) FROM (${viewSelect('job_status_computed', videoFilter)})`;

/** Recomputes and stores the status of these videos (a video with no `videos` row has none, and gets none). */
export async function refreshJobStatus(client: ClickHouseClient, videoIds: Iterable<string>, now: () => number = Date.now): Promise<void> {
  let list: string[] = [];
  let length = 0;
  const flush = async () => {
    if (list.length) await client.command({ query: refreshStatement(`video_id IN (${list.join(', ')})`, now()) });
    list = [];
    length = 0;
  };
  for (const id of new Set(videoIds)) {
    const quoted = literal(id);
    if (length + quoted.length > idsTextPerQuery) await flush();
    list.push(quoted);
    length += quoted.length + 2;
  }
  await flush();
}

/** Recomputes every video's status: after the definition changed (migrate) or a rebuild. */
export async function refreshAllJobStatus(client: ClickHouseClient, now: () => number = Date.now): Promise<void> {
  await client.command({ query: refreshStatement('1', now()) });
}
