import { afterEach, describe, expect, it } from 'vitest';
import { inMemoryApp, type InMemoryApp } from '../in-memory-app.ts';

describe('health routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('answers liveness without a key and documents the routes (OpenAPI)', async () => {
    given = await inMemoryApp();
    const live = await given.app.inject({ url: '/healthz' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    const docs = await given.app.inject({ url: '/docs/json' });
    expect(Object.keys(docs.json().paths)).toEqual(expect.arrayContaining(['/v1/videos', '/v1/videos/{id}', '/v1/uploads', '/v1/games/{id}/plays']));
  });
});
