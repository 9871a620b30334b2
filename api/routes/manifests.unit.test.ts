import { afterEach, describe, expect, it } from 'vitest';
import type { ManifestRow } from '../../projections/read-model/port.ts';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

const manifest = (videoId: string, checkVersion: string, complete: boolean): ManifestRow => ({
  video_id: videoId,
  check_version: checkVersion,
  source_uri: `s3://b/${videoId}.mp4`,
  source_key: `${videoId}.mp4`,
  duration_s: 60,
  fps: 30,
  width: 1280,
  height: 720,
  codec: 'h264',
  session_metadata: '{"map":"dust2"}',
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
    const jsonl = await given.app.inject({ url: '/v1/manifests?format=jsonl&prefix=a-&complete=false', headers: bearer(keys.reader) });
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
    expect(row).toContain('"{""map"":""dust2""}"');
    expect(end).toBe('');
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
