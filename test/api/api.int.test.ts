import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import type { VideoIngested } from '../../schemas/index.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { TopicCollector } from '../support/echo-fixture.ts';
import { dropDatabase, projectionConfig } from '../support/projection-fixture.ts';

const keys = { uploader: 'uploader-secret-0123456789', reader: 'reader-secret-0123456789', operator: 'operator-secret-012345678' };
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

describe('the HTTP API against the real stack (inject, no port)', () => {
  let app: FastifyInstance;
  let config: Awaited<ReturnType<typeof projectionConfig>>;
  let ingested: TopicCollector<VideoIngested>;

  beforeAll(async () => {
    config = await projectionConfig({
      FILMROOM_API_KEYS: `up:uploader:${keys.uploader},rd:reader:${keys.reader},op:operator:${keys.operator}`,
      FILMROOM_API_BODY_LIMIT: '4096',
    });
    app = await buildApp(config, { logLevel: 'silent' });
    const kafka = createKafka(config.kafka, 'it-api');
    await provisionTopics(kafka, config.topics);
    const serde = new EventSerde(config.registry, config.topics);
    ingested = await new TopicCollector<VideoIngested>(kafka, topicName('video-ingested', config.topics), (v) => serde.decode('video-ingested', v)).start();
  }, 120_000);

  afterAll(async () => {
    await ingested?.stop();
    await app?.close();
    if (config) await dropDatabase(config);
  });

  it('answers liveness, readiness of every backing service, and Prometheus metrics', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { kafka: 'ok', schema_registry: 'ok', clickhouse: 'ok', object_store: 'ok' } });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('# TYPE filmroom_object_store_requests_total counter');
  });

  it('refuses requests without a valid key (401) or with the wrong role (403)', async () => {
    const body = { source_uri: 's3://filmroom-uploads/a.mp4' };
    expect((await app.inject({ method: 'POST', url: '/v1/videos', payload: body })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/videos', payload: body, headers: auth('not-a-key-at-all-000000') })).statusCode).toBe(401);
    const wrongRole = await app.inject({ method: 'POST', url: '/v1/videos', payload: body, headers: auth(keys.reader) });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().message).toBe("API key 'rd' (reader) may not do this: needs uploader");
    expect((await app.inject({ url: '/v1/videos', headers: auth(keys.uploader) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/v1/videos', headers: auth(keys.operator) })).statusCode).toBe(200);
  });

  it('rejects malformed JSON, unknown fields, wrong types and oversized bodies with 4xx naming the field', async () => {
    const post = (payload: string | object, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url: '/v1/videos', payload, headers: { ...auth(keys.uploader), 'content-type': 'application/json', ...headers } });
    const malformed = await post('{"source_uri": ');
    expect(malformed.statusCode).toBe(400);
    const unknown = await post({ source_uri: 's3://b/k.mp4', colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('body must NOT have additional properties: colour');
    const wrongType = await post({ source_uri: 's3://b/k.mp4', options: { batch_size: 'thirty' } });
    expect(wrongType.json().message).toContain('body/options/batch_size must be integer');
    const badUri = await post({ source_uri: 'http://example.invalid/x.mp4' });
    expect(badUri.json().message).toContain('body/source_uri must match pattern');
    const big = await post({
      source_uri: 's3://b/k.mp4',
      session_metadata: { note: 'x'.repeat(900), more: 'y'.repeat(900), evenmore: 'z'.repeat(900), last: 'w'.repeat(900), final: 'v'.repeat(900) },
    });
    expect(big.statusCode).toBe(413);
  });

  it('registers a video (202, one event) and reports its status; injection strings in prefix are just strings', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/videos',
      headers: auth(keys.uploader),
      payload: {
        source_uri: 's3://filmroom-uploads/api-test.mp4',
        video_id: 'api-video-1',
        session_metadata: { map: 'dust2' },
        options: { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] },
      },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ video_id: 'api-video-1', status_url: '/v1/videos/api-video-1', duplicate: false });
    await ingested.waitFor((r) => r.some((x) => x.value.video_id === 'api-video-1'), 30_000, 'the video-ingested event');
    const event = ingested.records.find((r) => r.value.video_id === 'api-video-1')!;
    expect(event.key).toBe('api-video-1');
    expect(event.value).toMatchObject({
      uploader: 'up',
      source_uri: 's3://filmroom-uploads/api-test.mp4',
      session_metadata: { map: 'dust2' },
      options: { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] },
    });

    expect((await app.inject({ url: '/v1/videos/api-video-1', headers: auth(keys.reader) })).statusCode).toBe(404); // not projected: no projector runs here
    expect((await app.inject({ url: '/v1/videos/bad%20id', headers: auth(keys.reader) })).statusCode).toBe(400);
    for (const prefix of ["x' OR 1=1 --", "\\' UNION SELECT 1 --", "'; DROP TABLE videos; --"]) {
      const listed = await app.inject({ url: `/v1/videos?prefix=${encodeURIComponent(prefix)}`, headers: auth(keys.reader) });
      expect(listed.statusCode, prefix).toBe(200);
      expect(listed.json().videos).toEqual([]);
    }
  });

  it('serves an OpenAPI document that names the routes', async () => {
    const spec = (await app.inject({ url: '/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/videos', '/v1/videos/{id}', '/healthz', '/readyz']));
  });
});
