import { PassThrough, Readable, type Writable } from 'node:stream';
import { ParquetSchema, ParquetWriter } from '@dsnp/parquetjs';
import { param, type ClickHouse, type SqlParams } from '../clickhouse-client.ts';
import { startsWithParam } from './job-status.ts';

export const manifestFormats = ['json', 'jsonl', 'csv', 'parquet'] as const;
export type ManifestFormat = (typeof manifestFormats)[number];

export interface ManifestFilter {
  checkVersion?: string;
  /** Only videos whose id starts with this. */
  prefix?: string;
  complete?: boolean;
}

/** One exported manifest row: the `manifests` view with session metadata as a JSON object string. */
export interface ManifestRow {
  video_id: string;
  check_version: string;
  source_uri: string;
  source_key: string;
  duration_s: number;
  fps: number;
  width: number;
  height: number;
  codec: string;
  session_metadata: string;
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
  error: string;
}

const numberColumns = [
  'duration_s',
  'fps',
  'width',
  'height',
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
  'batches_total',
] as const;
const booleanColumns = ['is_video_mostly_dark', 'is_dpi_scale_issue', 'is_video_mostly_menu', 'complete'] as const;
export const manifestColumns: (keyof ManifestRow)[] = [
  'video_id',
  'check_version',
  'source_uri',
  'source_key',
  ...numberColumns.slice(0, 4),
  'codec',
  'session_metadata',
  ...numberColumns.slice(4),
  ...booleanColumns,
  'error',
];

/** The manifests query for a filter, its values bound. */
export function manifestQuery(filter: ManifestFilter): { sql: string; params: SqlParams } {
  const where = [
    filter.checkVersion ? `check_version = ${param('check_version')}` : '',
    filter.prefix ? startsWithParam('video_id', 'prefix') : '',
    filter.complete === undefined ? '' : `complete = ${param('complete')}`,
  ].filter(Boolean);
  return {
    sql: `SELECT * FROM manifests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY video_id, check_version`,
    params: {
      ...(filter.checkVersion ? { check_version: filter.checkVersion } : {}),
      ...(filter.prefix ? { prefix: filter.prefix } : {}),
      ...(filter.complete === undefined ? {} : { complete: filter.complete }),
    },
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
    source_key: raw.source_key,
    codec: raw.codec,
    session_metadata: JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, values[i]]))),
    error: raw.error ?? '',
  };
  for (const column of numberColumns) row[column] = Number(raw[column] ?? 0);
  for (const column of booleanColumns) row[column] = Number(raw[column]) === 1;
  return row as unknown as ManifestRow;
}

/** The manifests rows, streamed from ClickHouse (never buffered whole). */
export async function* manifestRows(client: ClickHouse, filter: ManifestFilter): AsyncGenerator<ManifestRow> {
  const { sql, params } = manifestQuery(filter);
  for await (const row of client.selectStream<Record<string, unknown>>(sql, params)) yield toManifestRow(row);
}

const csvCell = (value: unknown) => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const parquetSchema = () =>
  new ParquetSchema(
    Object.fromEntries(
      manifestColumns.map((column) => [
        column,
        {
          type: (booleanColumns as readonly string[]).includes(column) ? 'BOOLEAN' : (numberColumns as readonly string[]).includes(column) ? 'DOUBLE' : 'UTF8',
        },
      ]),
    ) as ConstructorParameters<typeof ParquetSchema>[0],
  );

export const contentTypeOf: Record<ManifestFormat, string> = {
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** Writes rows in a format to a stream as they come; resolves when the output is complete. */
export async function writeManifests(rows: AsyncIterable<ManifestRow>, format: ManifestFormat, out: Writable): Promise<number> {
  let count = 0;
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())));
  switch (format) {
    case 'parquet': {
      // The writer ends the stream itself when it closes.
      const writer = await ParquetWriter.openStream(parquetSchema(), out as unknown as Parameters<typeof ParquetWriter.openStream>[1]);
      for await (const row of rows) {
        await writer.appendRow(row as unknown as Record<string, unknown>);
        count++;
      }
      await writer.close();
      return count;
    }
    case 'json':
      await write('[');
      for await (const row of rows) await write(`${count++ === 0 ? '' : ','}\n${JSON.stringify(row)}`);
      await write('\n]\n');
      break;
    case 'jsonl':
      for await (const row of rows) {
        await write(`${JSON.stringify(row)}\n`);
        count++;
      }
      break;
    case 'csv':
      await write(`${manifestColumns.join(',')}\n`);
      for await (const row of rows) {
        await write(`${manifestColumns.map((c) => csvCell(row[c])).join(',')}\n`);
        count++;
      }
      break;
    default: {
      const unreachable: never = format;
      throw new TypeError(`unknown format ${String(unreachable)}`);
    }
  }
  out.end();
  return count;
}

/** A readable stream of the export, for HTTP replies. */
export function manifestStream(rows: AsyncIterable<ManifestRow>, format: ManifestFormat, onError: (error: unknown) => void): Readable {
  const out = new PassThrough();
  writeManifests(rows, format, out).catch((error: unknown) => {
    onError(error);
    out.destroy(error as Error);
  });
  return out;
}
