/**
 * The chaos run's verdict: the read model of the run with faults against the calm run's, table by
 * table, as per-video checksums over the columns whose values do not depend on when or how often
 * the work was done.
 */
import type { ClickHouse } from '../../projections/clickhouse-client.ts';

/** The results compared: the manifests, detections, OCR, checks, tracks and job status of every video. */
export const comparedTables = [
  'batches',
  'detected_batches',
  'detections',
  'ocr_batches',
  'ocr_texts',
  'check_results',
  'tracked_batches',
  'tracklets',
  'manifests',
  'job_status',
] as const;

/**
 * Columns left out of the checksums, and why:
 * - `video_id`: the two runs ingest the same videos under ids of their own (artifacts are stored by
 *   video id, and a second run under the same ids would find the first one's batches); it is
 *   replaced by the video's number, and `run_id`, `event_id` and the `*_uri` columns, which are
 *   derived from it, are left out;
 * - when things happened and how long they took (`occurred_at`, `*_at`, `*_ms`, `inference_ms`,
 *   `version`, which is the event time, `refreshed_ms`), and what is computed from them (the ETA
 *   columns `eta_*`, `*_eta_*`, `*_left_ms`, and the pacing flags `*_paced` and `pace_unknown`,
 *   which say whether a stage's rate could be measured yet).
 */
export const excludedColumn = (column: string): boolean =>
  ['video_id', 'run_id', 'event_id', 'version', 'inference_ms', 'pace_unknown', 'now_ms', 'refreshed_ms'].includes(column) ||
  /(_at|_ms|_uri|_uris|_paced)$|^eta_|_eta_/.test(column);

/** The video's number in its run (`…-v07` → `v07`): what the two runs' rows are matched by. */
const videoKey = `extract(video_id, '-(v[0-9]+)$')`;

export interface TableFigures {
  /** Rows after FINAL (tables) or as the view returns them. */
  rows: number;
  /** Rows as stored, before FINAL: more than `rows` when a redelivered insert is not merged away yet. */
  storedRows: number;
  /** Distinct keys (the table's sorting key): equal to `rows`, or a key has two rows after FINAL. */
  keys: number;
  /** Per video number, the sum of the row hashes of the compared columns. */
  checksums: Map<string, string>;
  excluded: string[];
}

async function rowsOf<T>(client: ClickHouse, query: string): Promise<T[]> {
  return (await (await client.query({ query, format: 'JSONEachRow' })).json()) as T[];
}

/** The figures of one table or view of `database`, for the videos whose ids start with `videoPrefix`. */
export async function tableFigures(client: ClickHouse, database: string, table: string, videoPrefix: string): Promise<TableFigures> {
  const columns = await rowsOf<{ name: string }>(client, `SELECT name FROM system.columns WHERE database = '${database}' AND table = '${table}'`);
  const [meta] = await rowsOf<{ engine: string; sorting_key: string }>(
    client,
    `SELECT engine, sorting_key FROM system.tables WHERE database = '${database}' AND name = '${table}'`,
  );
  const isView = meta?.engine === 'View';
  const compared = columns.map((c) => c.name).filter((name) => !excludedColumn(name));
  const excluded = columns.map((c) => c.name).filter(excludedColumn);
  const sortingKey = isView ? ['video_id', ...(compared.includes('check_version') ? ['check_version'] : [])] : meta!.sorting_key.split(', ');
  const keyExpression = sortingKey.map((column) => (column === 'video_id' ? videoKey : column)).join(', ');
  const where = `WHERE startsWith(video_id, '${videoPrefix}')`;
  const from = `${database}.${table}`;
  const [totals] = await rowsOf<{ rows: string; keys: string }>(
    client,
    `SELECT toString(count()) AS rows, toString(uniqExact(${keyExpression})) AS keys FROM ${from}${isView ? '' : ' FINAL'} ${where}`,
  );
  const [stored] = await rowsOf<{ rows: string }>(client, `SELECT toString(count()) AS rows FROM ${from} ${where}`);
  const perVideo = await rowsOf<{ video: string; checksum: string }>(
    client,
    `SELECT ${videoKey} AS video, toString(sum(cityHash64(${[videoKey, ...compared.map((c) => `\`${c}\``)].join(', ')}))) AS checksum
       FROM ${from}${isView ? '' : ' FINAL'} ${where} GROUP BY video ORDER BY video`,
  );
  return {
    rows: Number(totals!.rows),
    storedRows: Number(stored!.rows),
    keys: Number(totals!.keys),
    checksums: new Map(perVideo.map((r) => [r.video, r.checksum])),
    excluded,
  };
}

export interface TableVerdict {
  table: string;
  calm: TableFigures;
  chaos: TableFigures;
  /** Rows of the calm run with no equal row in the chaos run: fewer rows, or other values. */
  differingVideos: string[];
  equal: boolean;
}

/** Compares one table of the two runs: the same rows (after FINAL), one per key, and the same per-video checksums. */
export function verdictOf(table: string, calm: TableFigures, chaos: TableFigures): TableVerdict {
  const videos = new Set([...calm.checksums.keys(), ...chaos.checksums.keys()]);
  const differingVideos = [...videos].filter((video) => calm.checksums.get(video) !== chaos.checksums.get(video)).sort();
  const equal = differingVideos.length === 0 && calm.rows === chaos.rows && chaos.keys === chaos.rows && calm.keys === calm.rows;
  return { table, calm, chaos, differingVideos, equal };
}
