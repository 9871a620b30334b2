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
    // Public routes say so in the document; the others inherit the bearer requirement.
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(docs.json().paths[path].get.security, path).toEqual([]);
    expect(docs.json().paths['/v1/videos'].get.security).toBeUndefined();
  });

  it('readiness names the service that does not answer (503), and lag comes from the event log', async () => {
    given = await inMemoryApp({ FILMROOM_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7' });
    given.eventLog.down = new Error('broker unreachable');
    const response = await given.app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json().checks).toMatchObject({ kafka: 'broker unreachable', clickhouse: 'ok', object_store: 'ok' });
    given.eventLog.down = undefined;
    given.eventLog.lags = [{ group: 'filmroom.checks.v1', topic: 'filmroom.batch-extracted', lag: 7 }];
    const metrics = await given.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('filmroom_consumer_group_lag{group="filmroom.checks.v1",topic="filmroom.batch-extracted"} 7');
  });
});
