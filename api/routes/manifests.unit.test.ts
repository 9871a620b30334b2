import { afterEach, describe, expect, it } from 'vitest';
import type { ManifestRow } from '../../projections/read-model/port.ts';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

const manifest = (videoId: string, checkVersion: string, complete: boolean): ManifestRow => ({
  video_id: videoId,
  check_version: checkVersion,
  source_uri: `s3://b/${videoId}.mp4`,
  s3_key: `${videoId}.mp4`,
  ingested_at: '2024-01-02T03:04:05.000Z',
  session_metadata: { map: 'dust2' },
  codec: 'h264',
  pix_fmt: 'yuv420p',
  bit_rate: 1_500_000,
  duration_s: 60,
  fps: 30,
  width: 1280,
  height: 720,
  frame_count: 1800,
  frames_evaluated: 60,
  dark_fraction: 0.1,
  is_video_mostly_dark: false,
  letterbox_fraction: 0,
  content_ratio: 1,
  is_dpi_scale_issue: false,
  video_menu_percent: 0,
  is_video_mostly_menu: false,
  frozen_fraction: 0,
  longest_frozen_run: 0,
  blurry_fraction: 0,
  laplacian_variance_mean: 100,
  batches_checked: 6,
  batches_total: 6,
  complete,
  error: '',
});

describe('manifest route (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('streams the filtered manifests in the asked format with its content type', async () => {
    given = await inMemoryApp();
    given.readModel.manifestRows.push(manifest('a-1', 'v1', true), manifest('a-1', 'v2', false), manifest('b-1', 'v1', true));
    const json = await given.app.inject({ url: '/v1/manifests?check_version=v1', headers: bearer(keys.reader) });
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.json()).toEqual([manifest('a-1', 'v1', true), manifest('b-1', 'v1', true)]);
    const jsonl = await given.app.inject({ url: '/v1/manifests?format=jsonl&check_version=v2&prefix=a-&complete=false', headers: bearer(keys.reader) });
    expect(jsonl.headers['content-type']).toBe('application/x-ndjson');
    expect(jsonl.headers['content-disposition']).toBe('attachment; filename="manifests.jsonl"');
    expect(
      jsonl.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([manifest('a-1', 'v2', false)]);
    const csv = await given.app.inject({ url: '/v1/manifests?format=csv&prefix=b-', headers: bearer(keys.reader) });
    const [header, row, end] = csv.body.split('\n');
    expect(header!.split(',')[0]).toBe('video_id');
    expect(row).toContain('b-1,v1,s3://b/b-1.mp4');
    expect(row).toContain('"{""map"":""dust2""}"'); // the session metadata: a JSON column
    expect(end).toBe('');
  });

  it('exports one check version: the only one, the one asked for (unchecked videos zeroed), or refuses naming them', async () => {
    given = await inMemoryApp();
    given.readModel.manifestRows.push(manifest('a-1', 'v1', true), manifest('a-1', 'v2', false), manifest('b-1', 'v1', true));
    const mixed = await given.app.inject({ url: '/v1/manifests', headers: bearer(keys.reader) });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json()).toMatchObject({
      error: 'VALIDATION_FAILED',
      message: 'the videos have results of check versions v1, v2: choose one with check_version',
    });
    const only = await given.app.inject({ url: '/v1/manifests?prefix=b-', headers: bearer(keys.reader) });
    expect(only.json()).toEqual([manifest('b-1', 'v1', true)]);
    const v2 = await given.app.inject({ url: '/v1/manifests?check_version=v2', headers: bearer(keys.reader) });
    const [a, b] = v2.json() as ManifestRow[];
    expect(a).toEqual(manifest('a-1', 'v2', false));
    expect(b).toMatchObject({ video_id: 'b-1', check_version: 'v2', batches_checked: 0, dark_fraction: 0, complete: false, codec: 'h264', s3_key: 'b-1.mp4' });
    const unknown = await given.app.inject({ url: '/v1/manifests?check_version=v9', headers: bearer(keys.reader) });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toBe("check_version: no check results for version 'v9' (have v1, v2)");
  });

  it('selects by source key prefix as well as by video id', async () => {
    given = await inMemoryApp();
    given.readModel.manifestRows.push({ ...manifest('game-7', 'v1', true), s3_key: '2024/01/game-7.tar' }, manifest('other', 'v1', true));
    const byKey = await given.app.inject({ url: `/v1/manifests?prefix=${encodeURIComponent('2024/01/')}`, headers: bearer(keys.reader) });
    expect((byKey.json() as ManifestRow[]).map((r) => r.video_id)).toEqual(['game-7']);
  });

  it('refuses an unknown format or field naming it', async () => {
    given = await inMemoryApp();
    const bad = await given.app.inject({ url: '/v1/manifests?format=xml', headers: bearer(keys.reader) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('querystring/format must be equal to one of the allowed values');
    const extra = await given.app.inject({ url: '/v1/manifests?colour=red', headers: bearer(keys.reader) });
    expect(extra.json().message).toContain('querystring must NOT have additional properties: colour');
  });
});
