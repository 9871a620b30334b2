// Over 300 lines on purpose: one real-stack scenario per describe block shares its set-up (stack, projectors, keys); splitting it would start that set-up again.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { createLogger } from '../../common/logger.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import type { VideoIngested } from '../../schemas/index.ts';
import { endOffsets } from '../../streams/offsets.ts';
import { publishOnce } from '../support/publish.ts';
import { createS3Client, getObjectBuffer } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import { productTopicEvents, provisionTopics, topicName } from '../../streams/topics.ts';
import { TopicCollector } from '../support/echo-fixture.ts';
import { fixtureRuns, ingestion } from '../support/pipeline-fixture.ts';
import { batch, checksOf, dropTestNamespace, projectionConfig } from '../support/projection-fixture.ts';

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
    app = await buildServer(config, { logLevel: 'silent' });
    const kafka = createKafka(config.kafka, 'it-api');
    await provisionTopics(kafka, config.topics);
    const serde = new EventSerde(config.registry, config.topics);
    ingested = await new TopicCollector<VideoIngested>(kafka, topicName('video-ingested', config.topics), (v) => serde.decode('video-ingested', v)).start();
  }, 120_000);

  afterAll(async () => {
    await ingested?.stop();
    await app?.close();
    if (config) await dropTestNamespace(config);
  });

  it('answers liveness, readiness of every backing service, and Prometheus metrics', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { kafka: 'ok', schema_registry: 'ok', clickhouse: 'ok', object_store: 'ok' } });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('# TYPE filmroom_object_store_requests_total counter');
    // The requests above were measured under their route pattern.
    expect(metrics.body).toMatch(/filmroom_api_request_seconds_count\{method="GET",route="\/readyz",status="200"\} [1-9]/);
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
    // Options that could never produce work are refused at the edge, naming the field.
    const noStages = await post({ source_uri: 's3://b/k.mp4', options: { stages: [] } });
    expect(noStages.statusCode).toBe(400);
    expect(noStages.json().message).toContain('body/options/stages must NOT have fewer than 1 items');
    const noExtract = await post({ source_uri: 's3://b/k.mp4', options: { stages: ['OCR'] } });
    expect(noExtract.statusCode).toBe(400);
    expect(noExtract.json().message).toContain('body/options/stages must include EXTRACT: every other stage reads the extracted frames');
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

    // Not projected (no projector runs here), but registered by this instance: queued, from the request itself.
    const status = await app.inject({ url: '/v1/videos/api-video-1', headers: auth(keys.reader) });
    expect([status.statusCode, status.json().state]).toEqual([200, 'queued']);
    expect((await app.inject({ url: '/v1/videos/api-never-registered', headers: auth(keys.reader) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/v1/videos/bad%20id', headers: auth(keys.reader) })).statusCode).toBe(400);
    for (const prefix of ["x' OR 1=1 --", "\\' UNION SELECT 1 --", "'; DROP TABLE videos; --"]) {
      const listed = await app.inject({ url: `/v1/videos?prefix=${encodeURIComponent(prefix)}`, headers: auth(keys.reader) });
      expect(listed.statusCode, prefix).toBe(200);
      expect(listed.json().videos).toEqual([]);
    }
  });

  it('serves an OpenAPI document that validates and names the routes', async () => {
    const spec = (await app.inject({ url: '/docs/json' })).json();
    await SwaggerParser.validate(structuredClone(spec));
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/videos', '/v1/videos/{id}', '/healthz', '/readyz']));
  });
});

describe('manifest exports through the API (real stack)', () => {
  it('streams the same manifests as JSON, JSON Lines, CSV and Parquet; the Parquet reads back in DuckDB', async () => {
    const config = await projectionConfig({ FILMROOM_API_KEYS: `rd:reader:${keys.reader}` });
    const app = await buildServer(config, { logLevel: 'silent' });
    const kafka = createKafka(config.kafka, 'it-api-manifests');
    const serde = new EventSerde(config.registry, config.topics);
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    const projectors = await runProjectors({ config, log: createLogger('silent') });
    try {
      await publishOnce(kafka, serde, config.topics, [
        ingestion('export-a', 's3://filmroom-uploads/game,"a".mp4'),
        ...[0, 1].map((i) => batch('export-a', i, 2)),
        ...checksOf('export-a', 0, 2, { dark: 10, letterbox: 0, menu: 0, frozen: 0, blurry: 0 }),
        ...checksOf('export-a', 1, 2, { dark: 6, letterbox: 0, menu: 2, frozen: 0, blurry: 0 }),
        ingestion('export-b', 's3://filmroom-uploads/b.mp4'),
        batch('export-b', 0, 1),
        ...checksOf('export-b', 0, 1, { dark: 0, letterbox: 10, menu: 0, frozen: 0, blurry: 0 }),
        {
          event: 'batch-detected',
          key: 'export-a/0',
          value: {
            event_id: 'det-a-0',
            occurred_at: 1_700_000_300_000,
            producer: { name: 'test', version: '0' },
            video_id: 'export-a',
            run_id: fixtureRuns.get('export-a')!,
            batch_index: 0,
            batch_count: 2,
            artifact_uri: 's3://a/b',
            frames: [
              { frame_index: 0, timestamp_s: 0, detections: [{ box: { x1: 0.25, y1: 0.25, x2: 0.5, y2: 0.5 }, class_id: 0, class_name: 'text', score: 0.75 }] },
            ],
            model: { name: 'det', version: '1' },
            inference_ms: 5,
            replay_id: null,
            stages: ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'],
          },
        },
        {
          event: 'ocr-done',
          key: 'export-a/0',
          value: {
            event_id: 'ocr-a-0',
            occurred_at: 1_700_000_400_000,
            producer: { name: 'test', version: '0' },
            video_id: 'export-a',
            run_id: fixtureRuns.get('export-a')!,
            batch_index: 0,
            batch_count: 2,
            texts: [{ frame_index: 0, box: { x1: 0.25, y1: 0.25, x2: 0.5, y2: 0.5 }, text: 'LIONS 21', confidence: 0.5 }],
            regions_evaluated: 1,
            artifact_uri: '',
            replay_id: null,
            model: { name: 'rec', version: '1' },
            stages: ['EXTRACT', 'DETECT', 'OCR', 'CHECKS'],
            detections: [],
          },
        },
      ]);
      const ends = await endOffsets(
        kafka,
        productTopicEvents.map((e) => topicName(e, config.topics)),
      );
      for (const projector of projectors) await projector.waitUntilCaughtUp(ends);

      const get = (format: string, extra = '') => app.inject({ url: `/v1/manifests?check_version=v1&format=${format}${extra}`, headers: auth(keys.reader) });
      const json = (await get('json')).json() as {
        video_id: string;
        dark_fraction: number;
        is_video_mostly_dark: boolean;
        is_dpi_scale_issue: boolean;
        complete: boolean;
      }[];
      expect(json.map((m) => [m.video_id, m.dark_fraction, m.is_video_mostly_dark, m.is_dpi_scale_issue, m.complete])).toEqual([
        ['export-a', 0.8, true, false, true],
        ['export-b', 0, false, true, true],
      ]);
      const jsonl = (await get('jsonl')).body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(jsonl).toEqual(json);
      const csv = await get('csv');
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.body.trim().split('\n');
      expect(lines[0]!.split(',').slice(0, 3)).toEqual(['video_id', 'check_version', 'source_uri']);
      expect(lines[1]).toContain('"s3://filmroom-uploads/game,""a"".mp4"');
      expect((await get('json', '&prefix=export-b')).json()).toHaveLength(1);

      const parquet = await get('parquet');
      expect(parquet.headers['content-type']).toBe('application/vnd.apache.parquet');
      const file = join(tmpdir(), `filmroom-manifests-${process.pid}.parquet`);
      writeFileSync(file, parquet.rawPayload);
      const duck = await (await DuckDBInstance.create(':memory:')).connect();
      const rows = (
        await duck.runAndReadAll(`SELECT video_id, dark_fraction, is_video_mostly_dark, complete FROM read_parquet('${file}') ORDER BY video_id`)
      ).getRows();
      expect(rows).toEqual([
        ['export-a', 0.8, true, true],
        ['export-b', 0, false, true],
      ]);
      expect((await get('xml')).statusCode).toBe(400);

      const detections = (await app.inject({ url: '/v1/videos/export-a/detections?limit=10', headers: auth(keys.reader) })).json();
      expect(detections.items).toEqual([expect.objectContaining({ batch_index: 0, frame_index: 0, class_name: 'text', score: 0.75, x1: 0.25 })]);
      const texts = (await app.inject({ url: '/v1/videos/export-a/ocr', headers: auth(keys.reader) })).json();
      expect(texts.items.map((t: { text: string }) => t.text)).toEqual(['LIONS 21']);
      // Server-Sent Events: progress, then the end of a finished job.
      const events = await app.inject({ url: '/v1/videos/export-a/events', headers: auth(keys.reader) });
      expect(events.headers['content-type']).toBe('text/event-stream');
      expect(events.body).toMatch(/^event: progress\ndata: \{"video_id":"export-a","run_id":"[0-9a-f]{16}","state":"complete"/);
      expect(events.body).toContain('event: end\ndata: {"state":"complete"}');
    } finally {
      await Promise.all(projectors.map((p) => p.stop()));
      await app.close();
      await clickhouse.close();
      await dropTestNamespace(config);
    }
  }, 180_000);
});

describe('uploads through the API (real stack)', () => {
  it('streams a multipart upload to object storage and ingests it; refuses files over the limit and forms without a file', async () => {
    const config = await projectionConfig({ FILMROOM_API_KEYS: `up:uploader:${keys.uploader}`, FILMROOM_API_UPLOAD_LIMIT: String(64 * 1024) });
    const app = await buildServer(config, { logLevel: 'silent' });
    const kafka = createKafka(config.kafka, 'it-api-uploads');
    await provisionTopics(kafka, config.topics);
    const serde = new EventSerde(config.registry, config.topics);
    const events = await new TopicCollector<VideoIngested>(kafka, topicName('video-ingested', config.topics), (v) => serde.decode('video-ingested', v)).start();
    const form = (fields: Record<string, string>, file?: { name: string; body: Buffer }) => {
      const boundary = 'filmroomboundary';
      const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
      const head = Buffer.from(
        parts.join('') +
          (file ? `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: video/mp4\r\n\r\n` : ''),
      );
      const payload = Buffer.concat([head, file?.body ?? Buffer.alloc(0), Buffer.from(`${file ? '\r\n' : ''}--${boundary}--\r\n`)]);
      return { payload, headers: { ...auth(keys.uploader), 'content-type': `multipart/form-data; boundary=${boundary}` } };
    };
    try {
      const body = Buffer.alloc(10_000, 7);
      const ok = await app.inject({
        method: 'POST',
        url: '/v1/uploads',
        ...form({ video_id: 'uploaded-1', batch_size: '10' }, { name: 'game one.mp4', body }),
      });
      expect(ok.statusCode).toBe(202);
      expect(ok.json()).toMatchObject({ video_id: 'uploaded-1', source_uri: `s3://${config.s3.buckets.uploads}/uploads/uploaded-1/game_one.mp4` });
      const stored = await getObjectBuffer(createS3Client(config.s3), { bucket: config.s3.buckets.uploads, key: 'uploads/uploaded-1/game_one.mp4' });
      expect(stored).toEqual(body);
      await events.waitFor((r) => r.some((x) => x.value.video_id === 'uploaded-1'), 30_000, 'the ingestion event');
      expect(events.records.find((x) => x.value.video_id === 'uploaded-1')!.value.options.batch_size).toBe(10);

      const tooBig = await app.inject({
        method: 'POST',
        url: '/v1/uploads',
        ...form({ video_id: 'uploaded-2' }, { name: 'big.mp4', body: Buffer.alloc(100 * 1024) }),
      });
      expect(tooBig.statusCode).toBe(413);
      await expect(getObjectBuffer(createS3Client(config.s3), { bucket: config.s3.buckets.uploads, key: 'uploads/uploaded-2/big.mp4' })).rejects.toMatchObject({
        code: 'SOURCE_NOT_FOUND',
      });
      const noFile = await app.inject({ method: 'POST', url: '/v1/uploads', ...form({ video_id: 'uploaded-3' }) });
      expect(noFile.statusCode).toBe(400);
      expect(noFile.json().message).toContain("no file: the video goes in the multipart field 'file'");
      const json = await app.inject({
        method: 'POST',
        url: '/v1/uploads',
        headers: { ...auth(keys.uploader), 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(json.statusCode).toBe(415);
    } finally {
      await events.stop();
      await app.close();
      await dropTestNamespace(config);
    }
  }, 120_000);
});
