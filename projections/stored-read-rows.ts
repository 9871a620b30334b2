import type { ClickHouseClient } from '@clickhouse/client';
import { viewSelect } from './views.ts';

/**
 * Read rows the projectors store so that a read of one video is one row of one table, however many
 * videos there are: job_status (migration 014) and manifests (migration 015). Each is what a
 * `<name>_computed` view (projections/views/) gives for a video, recomputed for the videos of every
 * insert into a table that view reads, after that insert; a view reads it back (job_status with the
 * clock's columns added, manifests a row per check version with the cut-offs added). Computing
 * either at read time cost the whole table's rows per read on 18.16 (docs/benchmarks.md#api-reads).
 * Deleting a video (purge.ts) removes its stored rows and recomputes them; a rebuild recomputes all.
 */
export interface StoredReadRows {
  /** The ReplacingMergeTree table, one row per video, versioned by `refreshed_ms`. */
  table: string;
  /** The view file (projections/views/<computed>.sql) whose SELECT gives the rows. */
  computed: string;
  /** The tables the computation reads: an insert into one of them changes its videos' rows. */
  inputs: ReadonlySet<string>;
  /** The table's columns but `refreshed_ms`, in its order. */
  columns: readonly string[];
}

export const jobStatusLatest: StoredReadRows = {
  table: 'job_status_latest',
  computed: 'job_status_computed',
  inputs: new Set([
    'videos',
    'batches',
    'detected_batches',
    'ocr_batches',
    'check_results',
    'renders',
    'transformed_batches',
    'transformed_videos',
    'failures',
    'retries',
    'retrying_work',
  ]),
  columns: [
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
    'transform',
    'batches_transformed',
    'transformed',
    'transform_over',
    'transform_progress',
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
    'transform_eta_from_ms',
    'transform_eta_rest_ms',
    'pace_unknown',
    'occurred_at',
  ],
};

export const manifestsLatest: StoredReadRows = {
  table: 'manifests_latest',
  computed: 'manifests_computed',
  // transformed_batches: a transformed batch resolves its failure, which the manifest's `error` names.
  inputs: new Set(['videos', 'check_results', 'extracted_videos', 'failures', 'detected_batches', 'ocr_batches', 'renders', 'transformed_batches']),
  columns: [
    'video_id',
    'run_id',
    'source_uri',
    's3_key',
    'ingested_at',
    'session_keys',
    'session_values',
    'codec',
    'pix_fmt',
    'bit_rate',
    'duration_s',
    'fps',
    'width',
    'height',
    'frame_count',
    'extract_failures',
    'error',
    'versions',
    'result_count_per_version',
    'frames_evaluated_per_version',
    'dark_fraction_per_version',
    'letterbox_evaluated_per_version',
    'letterbox_fraction_per_version',
    'content_ratio_per_version',
    'menu_evaluated_per_version',
    'video_menu_percent_per_version',
    'frozen_fraction_per_version',
    'longest_frozen_run_per_version',
    'blurry_fraction_per_version',
    'laplacian_variance_mean_per_version',
    'batches_checked_per_version',
    'batches_total_per_version',
  ],
};

/** Every stored read, in the order they are recomputed. */
/**
 * Recomputed in this order after each insert: the manifests before the job status, so a reader who
 * sees a job end (`filmroom ingest --wait`, the API) finds its manifest already recomputed from the
 * same inputs. The other order left a window in which a job read `complete` or `partially_failed`
 * while its manifest still had no batches and no error (seen in the job-state tests under load).
 */
export const storedReadRows: readonly StoredReadRows[] = [manifestsLatest, jobStatusLatest];

/** Per stored table, the videos whose rows an insert changed: what the writer recomputes after it. */
export type ChangedVideos = Map<StoredReadRows, Set<string>>;

/** Notes that a row of `videoId` goes into `table`: every stored read computed from that table changes. */
export function noteChange(changed: ChangedVideos, table: string, videoId: string): void {
  for (const stored of storedReadRows) {
    if (!stored.inputs.has(table)) continue;
    let videos = changed.get(stored);
    if (!videos) changed.set(stored, (videos = new Set()));
    videos.add(videoId);
  }
}

/**
 * The ids' text per recomputation: they travel in the SQL text, once per table the computation
 * reads, and the server caps that text (max_query_size, 256 KiB).
 */
const idsTextPerQuery = 12_000;

// Video ids are checked at the edges (letters, digits, . _ -); quoting them again costs nothing.
const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The statement that recomputes the stored rows of the videos `videoFilter` (SQL over video_id)
 * picks, versioned `refreshedMs`. Of two recomputations, the one started later started after every
 * insert acknowledged before it, so it saw them all: ReplacingMergeTree keeps the highest version.
 */
export function refreshStatement(stored: StoredReadRows, videoFilter: string, refreshedMs: number): string {
  const columns = stored.columns.join(', ');
  return `INSERT INTO ${stored.table} (${columns}, refreshed_ms) SELECT ${columns}, toUInt64(${Math.trunc(refreshedMs)}) FROM (${viewSelect(stored.computed, videoFilter)})`;
}

/** Recomputes and stores one read's rows of these videos (a video with no `videos` row has none, and gets none). */
export async function refreshVideos(client: ClickHouseClient, stored: StoredReadRows, videoIds: Iterable<string>, now: () => number = Date.now): Promise<void> {
  let list: string[] = [];
  let length = 0;
  const flush = async () => {
    if (list.length) await client.command({ query: refreshStatement(stored, `video_id IN (${list.join(', ')})`, now()) });
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

/** Recomputes what an insert changed (`noteChange`), one stored read after the other. */
export async function refreshChanged(client: ClickHouseClient, changed: ChangedVideos, now: () => number = Date.now): Promise<void> {
  for (const stored of storedReadRows) {
    const videos = changed.get(stored);
    if (videos?.size) await refreshVideos(client, stored, videos, now);
  }
}

/** Recomputes these videos' rows of every stored read: after a deletion removed them. */
export async function refreshEveryRead(client: ClickHouseClient, videoIds: readonly string[], now: () => number = Date.now): Promise<void> {
  for (const stored of storedReadRows) await refreshVideos(client, stored, videoIds, now);
}

/** Recomputes every video's rows of these stored reads: after a definition changed (migrate) or a rebuild. */
export async function refreshAll(client: ClickHouseClient, reads: readonly StoredReadRows[] = storedReadRows, now: () => number = Date.now): Promise<void> {
  for (const stored of reads) await client.command({ query: refreshStatement(stored, '1', now()) });
}
