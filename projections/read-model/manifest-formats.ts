import { PassThrough, Readable, type Writable } from 'node:stream';
import { ParquetSchema, ParquetWriter } from '@dsnp/parquetjs';
import parquetThrift from '@dsnp/parquetjs/dist/gen-nodejs/parquet_types.js';
import type { ManifestRow } from './manifests.ts';

export const manifestFormats = ['json', 'jsonl', 'csv', 'parquet'] as const;
export type ManifestFormat = (typeof manifestFormats)[number];

/** The format a file name implies (`x.parquet`), if any. */
export function formatOfPath(path: string): ManifestFormat | undefined {
  const extension = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (manifestFormats as readonly string[]).includes(extension ?? '') ? (extension as ManifestFormat) : undefined;
}

type FieldDefinition = ConstructorParameters<typeof ParquetSchema>[0][string];

const { LogicalType, TimestampType, TimeUnit, MilliSeconds } = parquetThrift;
/** Milliseconds since the epoch, adjusted to UTC: readers show a timestamp with time zone. */
const utcTimestamp: FieldDefinition = {
  type: 'TIMESTAMP_MILLIS',
  logicalType: new LogicalType({ TIMESTAMP: new TimestampType({ isAdjustedToUTC: true, unit: new TimeUnit({ MILLIS: new MilliSeconds() }) }) }),
};
const text: FieldDefinition = { type: 'UTF8' };
const int32: FieldDefinition = { type: 'INT32' };
const int64: FieldDefinition = { type: 'INT64' };
const double: FieldDefinition = { type: 'DOUBLE' };
const boolean: FieldDefinition = { type: 'BOOLEAN' };

/** Every column's Parquet type, in column order: the one list the writers follow. */
export const manifestParquetFields: Record<keyof ManifestRow, FieldDefinition> = {
  video_id: text,
  check_version: text,
  source_uri: text,
  s3_key: text,
  ingested_at: utcTimestamp,
  // A MAP of strings: pandas (pyarrow) reads a list of (key, value) pairs, DuckDB a MAP(VARCHAR, VARCHAR).
  session_metadata: {
    type: 'MAP',
    fields: { key_value: { repeated: true, fields: { key: text, value: { ...text, optional: true } } } },
  },
  codec: text,
  pix_fmt: text,
  bit_rate: { ...int64, optional: true },
  duration_s: double,
  fps: double,
  width: int32,
  height: int32,
  frame_count: { ...int64, optional: true },
  frames_evaluated: int64,
  dark_fraction: double,
  is_video_mostly_dark: boolean,
  letterbox_fraction: double,
  content_ratio: double,
  is_dpi_scale_issue: boolean,
  video_menu_percent: double,
  is_video_mostly_menu: boolean,
  frozen_fraction: double,
  longest_frozen_run: int64,
  blurry_fraction: double,
  laplacian_variance_mean: double,
  batches_checked: int32,
  batches_total: int32,
  complete: boolean,
  error: text,
};
export const manifestColumns = Object.keys(manifestParquetFields) as (keyof ManifestRow)[];

export const manifestParquetSchema = () => new ParquetSchema(manifestParquetFields);

/** A row as the Parquet writer takes it: dates as Dates, the metadata as key/value pairs. */
export const parquetRecord = (row: ManifestRow): Record<string, unknown> => ({
  ...row,
  ingested_at: new Date(row.ingested_at),
  session_metadata: { key_value: Object.entries(row.session_metadata).map(([key, value]) => ({ key, value })) },
});

const csvCell = (value: unknown) => {
  const text = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

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
      const writer = await ParquetWriter.openStream(manifestParquetSchema(), out as unknown as Parameters<typeof ParquetWriter.openStream>[1]);
      for await (const row of rows) {
        await writer.appendRow(parquetRecord(row));
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
