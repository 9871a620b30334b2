import { FilmroomError } from '../../common/errors.ts';
import { param, type ClickHouse, type SqlParams } from '../clickhouse-client.ts';
import { viewSelect } from '../views.ts';
import { startsWithParam } from './job-status.ts';

/** What the read model filters manifests by, in SQL. */
export interface ManifestFilter {
  /** Only videos whose id or source key (`2024/01/`) starts with this. */
  prefix?: string;
}

/** One export's choices: the filter, then one check version and completeness. */
export interface ManifestExport extends ManifestFilter {
  checkVersion?: string;
  complete?: boolean;
}

/**
 * One exported manifest row, per video and check version: the two-stage pipeline's manifest
 * (s3_key, the ffprobe metadata of its ExtractedData, session metadata, error records) with the
 * quality checks' results.
 */
export interface ManifestRow {
  video_id: string;
  /** The check version of the results; every row of one export has the same. */
  check_version: string;
  source_uri: string;
  /** The source's key in its bucket (`2024/01/game-7.tar`). */
  s3_key: string;
  /** ISO-8601, UTC. */
  ingested_at: string;
  /** From the ingestion (`--meta`) and the TAR bundle's JSON, flattened (`match.map`). */
  session_metadata: Record<string, string>;
  codec: string;
  pix_fmt: string;
  bit_rate: number | null;
  duration_s: number;
  fps: number;
  width: number;
  height: number;
  frame_count: number | null;
  frames_evaluated: number;
  dark_fraction: number;
  is_video_mostly_dark: boolean;
  letterbox_fraction: number;
  content_ratio: number;
  is_dpi_scale_issue: boolean;
  video_menu_percent: number;
  is_video_mostly_menu: boolean;
  frozen_fraction: number;
  longest_frozen_run: number;
  blurry_fraction: number;
  laplacian_variance_mean: number;
  batches_checked: number;
  batches_total: number;
  complete: boolean;
  /** The video's latest failure; empty when none. */
  error: string;
}

/** The columns each check version fills in; a video without results for a version has them zeroed. */
const checkColumns = [
  'frames_evaluated',
  'dark_fraction',
  'letterbox_fraction',
  'content_ratio',
  'video_menu_percent',
  'frozen_fraction',
  'longest_frozen_run',
  'blurry_fraction',
  'laplacian_variance_mean',
  'batches_checked',
] as const;
const numberColumns = ['duration_s', 'fps', 'width', 'height', 'batches_total', ...checkColumns] as const;
const nullableNumberColumns = ['bit_rate', 'frame_count'] as const;
const booleanColumns = ['is_video_mostly_dark', 'is_dpi_scale_issue', 'is_video_mostly_menu', 'complete'] as const;

/** The manifests view's rows of the videos `videoFilter` picks (SQL over video_id or s3_key): their stored rows only (manifests_latest). */
const manifestsOf = (videoFilter: string) => `(${viewSelect('manifests', videoFilter)})`;
const filterOf = (filter: ManifestFilter) => (filter.prefix ? `${startsWithParam('video_id', 'prefix')} OR ${startsWithParam('s3_key', 'prefix')}` : '1');
const paramsOf = (filter: ManifestFilter): SqlParams => (filter.prefix ? { prefix: filter.prefix } : {});

/** The manifests query for a filter, its values bound: every check version's row, by video then version. */
export function manifestQuery(filter: ManifestFilter): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT *, toUInt32(ingested_at) AS ingested_at_s FROM ${manifestsOf(filterOf(filter))} ORDER BY video_id, check_version`,
    params: paramsOf(filter),
  };
}

/** One video's manifest rows, every check version (its id bound as `video_id`): what `bench --only api` times as the manifest point read. */
export const manifestPointRead = `SELECT *, toUInt32(ingested_at) AS ingested_at_s FROM ${manifestsOf(`video_id = ${param('video_id')}`)} ORDER BY check_version`;

/** The check versions with results among the filtered videos. */
export function manifestVersionsQuery(filter: ManifestFilter): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT DISTINCT check_version FROM ${manifestsOf(filterOf(filter))} WHERE check_version != '' ORDER BY check_version`,
    params: paramsOf(filter),
  };
}

/** Pure: a raw manifests-view row (ClickHouse JSON) as an export row. */
export function toManifestRow(raw: Record<string, unknown>): ManifestRow {
  const keys = (raw.session_keys as string[]) ?? [];
  const values = (raw.session_values as string[]) ?? [];
  const row: Record<string, unknown> = {
    video_id: raw.video_id,
    check_version: raw.check_version,
    source_uri: raw.source_uri,
    s3_key: raw.s3_key,
    ingested_at: new Date(Number(raw.ingested_at_s) * 1000).toISOString(),
    session_metadata: Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ''])),
    codec: raw.codec,
    pix_fmt: raw.pix_fmt,
    error: raw.error ?? '',
  };
  // NaN (an average over no results) reads as null: 0, like the other empty measures.
  for (const column of numberColumns) row[column] = Number(raw[column] ?? 0) || 0;
  for (const column of nullableNumberColumns) row[column] = raw[column] === null || raw[column] === undefined ? null : Number(raw[column]);
  for (const column of booleanColumns) row[column] = Number(raw[column]) === 1;
  return row as unknown as ManifestRow;
}

/** The manifests rows of every check version, streamed from ClickHouse (never buffered whole). */
export async function* manifestRows(client: ClickHouse, filter: ManifestFilter): AsyncGenerator<ManifestRow> {
  const { sql, params } = manifestQuery(filter);
  for await (const row of client.selectStream<Record<string, unknown>>(sql, params)) yield toManifestRow(row);
}

export async function manifestCheckVersions(client: ClickHouse, filter: ManifestFilter): Promise<string[]> {
  const { sql, params } = manifestVersionsQuery(filter);
  return (await client.select<{ check_version: string }>(sql, params)).map((r) => r.check_version);
}

/**
 * The check version an export holds. An export never mixes versions: without one asked for, the
 * only version the videos have is taken, and more than one is refused naming them (`option` is
 * how the caller spells the choice: `--check-version`, `check_version`).
 */
export function chooseCheckVersion(available: string[], requested: string | undefined, option: string): string {
  if (requested) {
    if (available.length > 0 && !available.includes(requested))
      throw new FilmroomError('VALIDATION_FAILED', `${option}: no check results for version '${requested}' (have ${available.join(', ')})`);
    return requested;
  }
  if (available.length > 1)
    throw new FilmroomError('VALIDATION_FAILED', `the videos have results of check versions ${available.join(', ')}: choose one with ${option}`);
  return available[0] ?? '';
}

/** A video's row without check results: its video columns, the checks' zeroed. */
function unchecked(row: ManifestRow, checkVersion: string): ManifestRow {
  const zeroed: Record<string, unknown> = { ...row, check_version: checkVersion };
  for (const column of checkColumns) zeroed[column] = 0;
  for (const column of booleanColumns) zeroed[column] = false;
  return zeroed as unknown as ManifestRow;
}

/**
 * Pure: one row per video for one check version, from rows ordered by video: the version's row,
 * or (a failed video, one not checked with it yet) the video's row with no results.
 */
export async function* oneVersionPerVideo(rows: AsyncIterable<ManifestRow>, checkVersion: string, complete?: boolean): AsyncGenerator<ManifestRow> {
  let pending: ManifestRow | undefined;
  let found = false;
  const flush = (): ManifestRow | undefined => (pending && !found ? unchecked(pending, checkVersion) : undefined);
  const keep = (row: ManifestRow | undefined) => row !== undefined && (complete === undefined || row.complete === complete);
  for await (const row of rows) {
    if (pending && row.video_id !== pending.video_id) {
      const last = flush();
      if (keep(last)) yield last!;
      found = false;
    }
    pending = row;
    if (row.check_version === checkVersion) {
      found = true;
      if (keep(row)) yield row;
    }
  }
  const last = flush();
  if (keep(last)) yield last!;
}

/**
 * The rows of one export, one check version, chosen before any row is read (so a refusal comes
 * before any output): the one place the CLI and the API build an export from the read model.
 */
export async function manifestExport(
  readModel: { manifests(filter: ManifestFilter): AsyncIterable<ManifestRow>; manifestCheckVersions(filter: ManifestFilter): Promise<string[]> },
  choice: ManifestExport,
  option: string,
): Promise<{ checkVersion: string; rows: AsyncIterable<ManifestRow> }> {
  const filter: ManifestFilter = choice.prefix ? { prefix: choice.prefix } : {};
  const checkVersion = chooseCheckVersion(await readModel.manifestCheckVersions(filter), choice.checkVersion, option);
  return { checkVersion, rows: oneVersionPerVideo(readModel.manifests(filter), checkVersion, choice.complete) };
}
