import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, jobRow, type InMemoryApp } from '../in-memory-app.ts';

describe('videos routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('GET /v1/videos/:id answers the job status, counts as numbers, checks per version and stage timings', async () => {
    given = await inMemoryApp();
    given.readModel.jobs.push(jobRow('game-1', { failures: '2', last_error: 'boom' }));
    given.readModel.timings.set('game-1', [
      { stage: 'extract', started_ms: '1767225600000', finished_ms: '1767225630000', seconds: 30, batches_done: '6', batches_total: '6', attempts: '2' },
    ]);
    const response = await given.app.inject({ url: '/v1/videos/game-1?stage_timings=true', headers: bearer(keys.reader) });
    expect(response.statusCode).toBe(200);
    const { stage_timings, ...status } = response.json();
    // Without the flag: the job status alone (the timings are a second read).
    expect((await given.app.inject({ url: '/v1/videos/game-1', headers: bearer(keys.reader) })).json()).toEqual(status);
    expect({ ...status, stage_timings }).toEqual({
      video_id: 'game-1',
      run_id: '',
      state: 'complete',
      progress_percent: 100,
      extraction_progress: 'Extraction: 6/6 batches',
      detection_progress: '',
      ocr_progress: '',
      checks_progress: 'Checks: 6/6 batches',
      render_progress: '',
      transform_progress: '',
      batches_total: 6,
      failures: 2,
      last_error: 'boom',
      started_at: '2026-01-01 00:00:00',
      updated_at: '2026-01-01 00:01:00',
      eta_seconds: 0,
      batches_checked_by_version: { v1: 6, v2: 3 },
      stage_timings: [
        {
          stage: 'extract',
          started_at: '2026-01-01T00:00:00.000Z',
          finished_at: '2026-01-01T00:00:30.000Z',
          seconds: 30,
          batches_done: 6,
          batches_total: 6,
          attempts: 2,
        },
      ],
    });
  });

  it('GET /v1/videos/:id is 404 NOT_FOUND for a video the read model does not have, 400 for a bad id', async () => {
    given = await inMemoryApp();
    const missing = await given.app.inject({ url: '/v1/videos/nope', headers: bearer(keys.reader) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'NOT_FOUND', message: 'no video nope' });
    const bad = await given.app.inject({ url: '/v1/videos/bad%20id', headers: bearer(keys.reader) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'VALIDATION_FAILED', message: expect.stringContaining('params/id must match pattern') });
  });

  it('GET /v1/videos filters by state and prefix and pages, with the defaults echoed', async () => {
    given = await inMemoryApp();
    given.readModel.jobs.push(jobRow('a-1'), jobRow('a-2', { state: 'failed' }), jobRow('a-3'), jobRow('b-1'));
    const listed = await given.app.inject({ url: '/v1/videos?state=complete&prefix=a-', headers: bearer(keys.reader) });
    expect(listed.json().videos.map((v: { video_id: string }) => v.video_id)).toEqual(['a-1', 'a-3']);
    expect(listed.json()).toMatchObject({ limit: 50, offset: 0 });
    const paged = await given.app.inject({ url: '/v1/videos?limit=2&offset=1', headers: bearer(keys.reader) });
    expect(paged.json().videos.map((v: { video_id: string }) => v.video_id)).toEqual(['a-2', 'a-3']);
    const badState = await given.app.inject({ url: '/v1/videos?state=done', headers: bearer(keys.reader) });
    expect(badState.statusCode).toBe(400);
    expect(badState.json().message).toContain('querystring/state must be equal to one of the allowed values');
  });

  it('GET /v1/videos?check_version= keeps the videos with batches checked under that version; an unknown version is 400', async () => {
    given = await inMemoryApp();
    given.readModel.jobs.push(jobRow('a-1', { checked_versions: ['v1'] }), jobRow('a-2'), jobRow('a-3', { checked_versions: [] }));
    const v2 = await given.app.inject({ url: '/v1/videos?check_version=v2', headers: bearer(keys.reader) });
    expect(v2.json().videos.map((v: { video_id: string }) => v.video_id)).toEqual(['a-2']);
    const v1 = await given.app.inject({ url: '/v1/videos?check_version=v1&prefix=a-', headers: bearer(keys.reader) });
    expect(v1.json().videos.map((v: { video_id: string }) => v.video_id)).toEqual(['a-1', 'a-2']);
    const unknown = await given.app.inject({ url: '/v1/videos?check_version=v9', headers: bearer(keys.reader) });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('querystring/check_version must be equal to one of the allowed values');
  });

  it('POST /v1/videos publishes exactly one video-ingested; the same video again is a duplicate and publishes nothing', async () => {
    given = await inMemoryApp();
    const payload = { source_uri: 's3://filmroom-uploads/a.mp4', video_id: 'vid-1', session_metadata: { map: 'dust2' }, options: { batch_size: 10 } };
    const first = await given.app.inject({ method: 'POST', url: '/v1/videos', payload, headers: bearer(keys.uploader) });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ video_id: 'vid-1', status_url: '/v1/videos/vid-1', duplicate: false });
    expect(given.publisher.published).toHaveLength(1);
    const [event] = given.publisher.of('video-ingested');
    expect(event!.key).toBe('vid-1');
    expect(event!.value).toMatchObject({
      video_id: 'vid-1',
      uploader: 'up',
      source_uri: 's3://filmroom-uploads/a.mp4',
      session_metadata: { map: 'dust2' },
      options: { batch_size: 10, sample_fps: null, sample_stride: null, stages: ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'], detectors: ['objects', 'text'] },
      producer: { name: 'api', version: '0.1.0' },
    });
    expect(first.json().event_id).toBe(event!.value.event_id);

    const second = await given.app.inject({ method: 'POST', url: '/v1/videos', payload, headers: bearer(keys.uploader) });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual({ ...first.json(), duplicate: true });
    expect(given.publisher.published).toHaveLength(1);
  });

  it('POST /v1/videos for a video whose deletion is under way here answers 409 CONFLICT and publishes nothing; once carried out it ingests anew', async () => {
    given = await inMemoryApp();
    const payload = { source_uri: 's3://filmroom-uploads/a.mp4', video_id: 'vid-1' };
    const post = () => given.app.inject({ method: 'POST', url: '/v1/videos', payload, headers: bearer(keys.uploader) });
    expect((await post()).statusCode).toBe(202);
    const deleted = await given.app.inject({ method: 'DELETE', url: '/v1/videos/vid-1', headers: bearer(keys.operator) });
    expect(deleted.statusCode).toBe(202);
    const published = given.publisher.published.length;
    const refused = await post();
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: 'CONFLICT',
      message: 'video vid-1 is being deleted: ingest it again once GET /v1/videos/vid-1/deletion answers 200',
    });
    expect(given.publisher.published).toHaveLength(published);
    // The purger removed the video's rows and recorded the deletion: posting it again ingests it anew.
    given.readModel.runs.delete('vid-1');
    given.readModel.deletions.push({
      video_id: 'vid-1',
      deleted_event_id: deleted.json().event_id,
      requested_at: '2026-01-01 00:00:00',
      requested_by: 'op',
      objects_removed: 1,
      objects_by_bucket: {},
      rows_removed: 1,
      rows_by_table: {},
      purged_at: '2026-01-01 00:00:01',
    });
    const again = await post();
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ video_id: 'vid-1', duplicate: false });
    expect(given.publisher.of('video-ingested')).toHaveLength(2);
  });

  it('POST /v1/videos carries the detectors asked for onto video-ingested', async () => {
    given = await inMemoryApp();
    const payload = { source_uri: 's3://filmroom-uploads/b.mp4', video_id: 'vid-2', options: { detectors: ['text'] } };
    const response = await given.app.inject({ method: 'POST', url: '/v1/videos', payload, headers: bearer(keys.uploader) });
    expect(response.statusCode).toBe(202);
    expect(given.publisher.of('video-ingested')[0]!.value.options.detectors).toEqual(['text']);
  });

  it('POST /v1/videos validation names the field (400 VALIDATION_FAILED) and publishes nothing', async () => {
    given = await inMemoryApp();
    const post = (payload: object) => given.app.inject({ method: 'POST', url: '/v1/videos', payload, headers: bearer(keys.uploader) });
    const cases: [object, string][] = [
      [{ source_uri: 's3://b/k.mp4', colour: 'red' }, 'body must NOT have additional properties: colour'],
      [{ source_uri: 's3://b/k.mp4', options: { batch_size: 'thirty' } }, 'body/options/batch_size must be integer'],
      [{ source_uri: 'http://example.invalid/x.mp4' }, 'body/source_uri must match pattern'],
      [{ video_id: 'x' }, "body must have required property 'source_uri'"],
      [{ source_uri: 's3://b/k.mp4', options: { stages: ['PAINT'] } }, 'body/options/stages/0 must be equal to one of the allowed values'],
      [{ source_uri: 's3://b/k.mp4', options: { stages: [] } }, 'body/options/stages must NOT have fewer than 1 items'],
      [{ source_uri: 's3://b/k.mp4', options: { stages: ['OCR'] } }, 'body/options/stages must include EXTRACT'],
      [{ source_uri: 's3://b/k.mp4', options: { detectors: ['poses'] } }, 'body/options/detectors/0 must be equal to one of the allowed values'],
      [{ source_uri: 's3://b/k.mp4', options: { sample_fps: 2, sample_stride: 3 } }, 'sample_fps and sample_stride choose the sampling two ways'],
    ];
    for (const [payload, message] of cases) {
      const response = await post(payload);
      expect(response.statusCode, message).toBe(400);
      expect(response.json()).toEqual({ error: 'VALIDATION_FAILED', message: expect.stringContaining(message) });
    }
    expect(given.publisher.published).toEqual([]);
  });

  it('refuses requests without a valid key (401, WWW-Authenticate) or with the wrong role (403)', async () => {
    given = await inMemoryApp();
    const payload = { source_uri: 's3://b/a.mp4' };
    const none = await given.app.inject({ method: 'POST', url: '/v1/videos', payload });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toEqual({ error: 'UNAUTHORIZED', message: 'a valid API key is required: Authorization: Bearer <key>' });
    expect((await given.app.inject({ method: 'POST', url: '/v1/videos', payload, headers: bearer('not-a-key-at-all-000000') })).statusCode).toBe(401);
    const wrongRole = await given.app.inject({ method: 'POST', url: '/v1/videos', payload, headers: bearer(keys.reader) });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json()).toEqual({ error: 'FORBIDDEN', message: "API key 'rd' (reader) may not do this: needs uploader" });
    expect((await given.app.inject({ url: '/v1/videos', headers: bearer(keys.uploader) })).statusCode).toBe(403);
    expect((await given.app.inject({ url: '/v1/videos', headers: bearer(keys.operator) })).statusCode).toBe(200);
    expect(given.publisher.published).toEqual([]);
  });
});
