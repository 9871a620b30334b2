import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

/** What the API's contract test (schemathesis, test/contract) found, each pinned here on in-memory ports. */
describe('the API against its own contract (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('answers 405 with Allow for a method a path does not have, before authentication; 404 for an unknown path', async () => {
    given = await inMemoryApp();
    const trace = await given.app.inject({ method: 'TRACE', url: '/v1/videos?limit=1' });
    expect(trace.statusCode).toBe(405);
    expect(trace.headers.allow).toBe('GET, HEAD, POST');
    expect(trace.json()).toEqual({ error: 'METHOD_NOT_ALLOWED', message: 'TRACE is not allowed on /v1/videos: use GET or HEAD or POST' });
    const put = await given.app.inject({ method: 'PUT', url: '/v1/videos/v1/renders/preview.mp4' });
    expect([put.statusCode, put.headers.allow]).toEqual([405, 'GET, HEAD']);
    expect((await given.app.inject({ method: 'TRACE', url: '/healthz' })).statusCode).toBe(405);
    const unknown = await given.app.inject({ url: '/v2/nothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'NOT_FOUND', message: 'no route GET /v2/nothing' });
  });

  it('does not coerce JSON bodies: null or false for a string is 400 (query strings are still coerced)', async () => {
    given = await inMemoryApp();
    const deletion = await given.app.inject({ method: 'DELETE', url: '/v1/videos/v1', payload: { reason: null }, headers: bearer(keys.operator) });
    expect(deletion.statusCode).toBe(400);
    expect(deletion.json().message).toBe('body/reason must be string');
    const replay = await given.app.inject({
      method: 'POST',
      url: '/v1/replays',
      payload: { check_version: 'v1', prefix: false },
      headers: bearer(keys.operator),
    });
    expect(replay.statusCode).toBe(400);
    expect((await given.app.inject({ url: '/v1/videos?limit=2', headers: bearer(keys.reader) })).statusCode).toBe(200);
  });

  it('says in the schema what the ingest command refuses: both sampling ways, stages without EXTRACT', async () => {
    given = await inMemoryApp();
    const post = (options: object) =>
      given.app.inject({ method: 'POST', url: '/v1/videos', payload: { source_uri: 's3://b/k.mp4', options }, headers: bearer(keys.uploader) });
    expect((await post({ sample_fps: 2, sample_stride: 3 })).json().message).toBe(
      'body/options sample_fps and sample_stride choose the sampling two ways: give one of them',
    );
    expect((await post({ stages: ['OCR', 'DETECT'] })).json().message).toBe(
      'body/options/stages must include EXTRACT: every other stage reads the extracted frames',
    );
    const document = (await given.app.inject({ url: '/docs/json' })).json();
    const options = document.paths['/v1/videos'].post.requestBody.content['application/json'].schema.properties.options;
    expect(options.allOf[0].not).toEqual({ required: ['sample_fps', 'sample_stride'] });
  });

  it('declares the common error answers of every operation, optional bodies as optional, and links from a new video to its reads', async () => {
    given = await inMemoryApp();
    const document = (await given.app.inject({ url: '/docs/json' })).json();
    const post = document.paths['/v1/videos'].post;
    expect(Object.keys(post.responses).sort()).toEqual(['202', '400', '401', '403', '409', '413', '415', '422']);
    expect(Object.keys(document.paths['/healthz'].get.responses)).toEqual(['200']);
    expect(document.paths['/v1/videos/{id}'].delete.requestBody.required).toBe(false);
    expect(Object.keys(post.responses['202'].links).sort()).toEqual(['delete', 'detections', 'events', 'frames', 'ocr', 'retry', 'status']);
  });

  it('answers a video registered here as queued until it is projected, and one whose deletion it accepted as gone', async () => {
    given = await inMemoryApp();
    await given.objectStore.put({ bucket: 'b', key: 'k.mp4' }, Buffer.from('video'), 'video/mp4');
    const ingested = await given.app.inject({
      method: 'POST',
      url: '/v1/videos',
      payload: { source_uri: 's3://b/k.mp4', video_id: 'fresh' },
      headers: bearer(keys.uploader),
    });
    expect(ingested.statusCode).toBe(202);
    given.readModel.runs.clear(); // as if the projections had not caught up yet
    const status = await given.app.inject({ url: '/v1/videos/fresh', headers: bearer(keys.reader) });
    expect(status.json()).toEqual({ video_id: 'fresh', run_id: ingested.json().run_id, state: 'queued' });
    const retry = await given.app.inject({ method: 'POST', url: '/v1/videos/fresh/retry', headers: bearer(keys.operator) });
    expect(retry.json()).toMatchObject({ video_id: 'fresh', mode: 'nothing', redriven: 0 });
    expect((await given.app.inject({ method: 'DELETE', url: '/v1/videos/fresh', headers: bearer(keys.operator) })).statusCode).toBe(202);
    for (const url of ['/v1/videos/fresh', '/v1/videos/fresh/detections', '/v1/videos/fresh/ocr', '/v1/videos/fresh/events']) {
      const gone = await given.app.inject({ url, headers: bearer(keys.reader) });
      expect([url, gone.statusCode, gone.json().message]).toEqual([url, 404, 'no video fresh: its deletion is under way']);
    }
  });
});
