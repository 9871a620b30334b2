import { describe, expect, it } from 'vitest';
import { manifestColumns, manifestParquetSchema } from './manifest-formats.ts';
import { chooseCheckVersion, oneVersionPerVideo, type ManifestRow } from './manifests.ts';

const row = (videoId: string, checkVersion: string, complete = true) =>
  ({ video_id: videoId, check_version: checkVersion, dark_fraction: 0.5, batches_checked: 2, complete, codec: 'h264', error: '' }) as unknown as ManifestRow;
async function* rows(...list: ManifestRow[]) {
  yield* list;
}
const collect = async (iterable: AsyncIterable<ManifestRow>) => {
  const out: ManifestRow[] = [];
  for await (const r of iterable) out.push(r);
  return out;
};

describe('manifest export', () => {
  it('never mixes check versions: the only one, the one asked for, or a refusal naming them', () => {
    expect(chooseCheckVersion(['v1'], undefined, '--check-version')).toBe('v1');
    expect(chooseCheckVersion([], undefined, '--check-version')).toBe('');
    expect(chooseCheckVersion(['v1', 'v2'], 'v2', '--check-version')).toBe('v2');
    expect(() => chooseCheckVersion(['v1', 'v2'], undefined, '--check-version')).toThrow('check versions v1, v2: choose one with --check-version');
    expect(() => chooseCheckVersion(['v1'], 'v3', '--check-version')).toThrow("no check results for version 'v3' (have v1)");
  });

  it('gives every video one row of the chosen version; one without results (failed, not checked yet) has them zeroed', async () => {
    const out = await collect(oneVersionPerVideo(rows(row('a', 'v1'), row('a', 'v2', false), row('b', 'v1'), row('c', '')), 'v2'));
    expect(out.map((r) => [r.video_id, r.check_version, r.dark_fraction, r.batches_checked, r.complete, r.codec])).toEqual([
      ['a', 'v2', 0.5, 2, false, 'h264'],
      ['b', 'v2', 0, 0, false, 'h264'],
      ['c', 'v2', 0, 0, false, 'h264'],
    ]);
    const complete = await collect(oneVersionPerVideo(rows(row('a', 'v1'), row('b', 'v1', false), row('c', '')), 'v1', true));
    expect(complete.map((r) => r.video_id)).toEqual(['a']);
  });

  it('types every Parquet column: integers INT32/INT64, flags BOOLEAN, a UTC timestamp, the metadata a MAP', () => {
    const schema = manifestParquetSchema();
    const types = Object.fromEntries(manifestColumns.map((c) => [c, schema.fields[c]!.primitiveType ?? schema.fields[c]!.originalType]));
    expect(types).toMatchObject({ width: 'INT32', height: 'INT32', batches_checked: 'INT32', batches_total: 'INT32' });
    expect(types).toMatchObject({ frames_evaluated: 'INT64', longest_frozen_run: 'INT64', bit_rate: 'INT64', frame_count: 'INT64' });
    expect(types).toMatchObject({ is_video_mostly_dark: 'BOOLEAN', is_dpi_scale_issue: 'BOOLEAN', is_video_mostly_menu: 'BOOLEAN', complete: 'BOOLEAN' });
    expect(schema.fields.ingested_at).toMatchObject({ originalType: 'TIMESTAMP_MILLIS', logicalType: { TIMESTAMP: { isAdjustedToUTC: true } } });
    expect(schema.fields.session_metadata).toMatchObject({ originalType: 'MAP', isNested: true });
    const doubles = manifestColumns.filter((c) => types[c] === 'DOUBLE');
    expect(doubles).toEqual([
      'duration_s',
      'fps',
      'dark_fraction',
      'letterbox_fraction',
      'content_ratio',
      'video_menu_percent',
      'frozen_fraction',
      'blurry_fraction',
      'laplacian_variance_mean',
    ]);
  });
});
