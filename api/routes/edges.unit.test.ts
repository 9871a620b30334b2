import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

/** The API's edges, as found by trying them (issue 15, "Hardened edges"): authentication first, bounded numbers, no local paths. */
describe('API edges (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('authenticates before it validates: no key and a bad body is 401, the wrong role and a bad body is 403', async () => {
    given = await inMemoryApp();
    const bad = [
      { method: 'POST' as const, url: '/v1/videos', payload: { colour: 'red' }, role: keys.reader },
      { method: 'POST' as const, url: '/v1/replays', payload: { check_version: 'v99' }, role: keys.uploader },
      { method: 'POST' as const, url: '/v1/games/g1/plays', payload: [{ nonsense: 1 }], role: keys.reader },
      { method: 'POST' as const, url: '/v1/uploads', payload: { not: 'multipart' }, role: keys.reader },
      { method: 'GET' as const, url: '/v1/videos?offset=-1', role: keys.uploader },
      { method: 'GET' as const, url: '/v1/videos/bad id!/detections?limit=0', role: keys.uploader },
      { method: 'GET' as const, url: '/v1/replays/%20', role: keys.reader },
    ];
    for (const { role, ...request } of bad) {
      const anonymous = await given.app.inject(request);
      expect(anonymous.statusCode, `${request.method} ${request.url} without a key`).toBe(401);
      expect(anonymous.json().error).toBe('UNAUTHORIZED');
      const wrongRole = await given.app.inject({ ...request, headers: bearer(role) });
      expect(wrongRole.statusCode, `${request.method} ${request.url} with the wrong role`).toBe(403);
    }
    expect(given.publisher.published).toEqual([]);
  });

  it('takes only object-store sources over HTTP: file:// and others are 400 naming body/source_uri, without echoing them', async () => {
    given = await inMemoryApp();
    for (const source_uri of ['file:///etc/passwd', '/etc/passwd', 'http://example.com/a.mp4', 's3://bucket', 's3:///key']) {
      const response = await given.app.inject({ method: 'POST', url: '/v1/videos', headers: bearer(keys.uploader), payload: { source_uri } });
      expect(response.statusCode, source_uri).toBe(400);
      expect(response.json().message).toContain('body/source_uri must match pattern');
      expect(response.body).not.toContain('passwd');
      expect(response.body).not.toContain('example.com');
    }
    expect(given.publisher.published).toEqual([]);
  });

  it('bounds every number in the query: a huge offset or batch is 400 naming the field, never a 500', async () => {
    given = await inMemoryApp();
    const cases = [
      ['/v1/videos?offset=99999999999999999999', 'querystring/offset must be <= 10000000'],
      ['/v1/videos?limit=99999999999999999999', 'querystring/limit must be <= 500'],
      ['/v1/videos/v1/detections?offset=99999999999999999999', 'querystring/offset must be <= 10000000'],
      ['/v1/videos/v1/ocr?offset=99999999999999999999', 'querystring/offset must be <= 10000000'],
      ['/v1/videos/v1/ocr?batch=99999999999999999999', 'querystring/batch must be <= 2147483647'],
    ];
    for (const [url, message] of cases) {
      const response = await given.app.inject({ url: url!, headers: bearer(keys.reader) });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toEqual({ error: 'VALIDATION_FAILED', message: expect.stringContaining(message!) });
    }
    const stride = await given.app.inject({
      method: 'POST',
      url: '/v1/videos',
      headers: bearer(keys.uploader),
      payload: { source_uri: 's3://b/k.mp4', options: { sample_stride: 1e20 } },
    });
    expect(stride.json().message).toContain('body/options/sample_stride must be <= 1000000');
  });

  it('documents 400, 401 and 403 on every authenticated operation', async () => {
    given = await inMemoryApp();
    const spec = (await given.app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
    };
    for (const [path, operations] of Object.entries(spec.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, operation] of Object.entries(operations))
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['400', '401', '403']));
    }
  });
});
