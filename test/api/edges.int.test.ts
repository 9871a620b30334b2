import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { createLogger } from '../../common/logger.ts';
import { runProjectors } from '../../projections/projector.ts';
import type { VideoIngested } from '../../schemas/index.ts';
import { createS3Client, getObjectBuffer, putObject } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';
import { provisionTopics, topicName } from '../../streams/topics.ts';
import { TopicCollector } from '../support/echo-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil, stoppedTogether } from '../support/projection-fixture.ts';

const keys = { uploader: 'uploader-secret-0123456789', reader: 'reader-secret-0123456789', operator: 'operator-secret-012345678' };
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** A multipart body of parts in the order given: [name, value] text fields, and 'FILE' for a small file. */
const form = (parts: ([string, string] | 'FILE')[]) => {
  const boundary = 'edgesboundary';
  const body = parts
    .map((part) =>
      part === 'FILE'
        ? `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="clip.mp4"\r\ncontent-type: video/mp4\r\n\r\nnot really a video\r\n`
        : `--${boundary}\r\ncontent-disposition: form-data; name="${part[0]}"\r\n\r\n${part[1]}\r\n`,
    )
    .join('');
  return { payload: `${body}--${boundary}--\r\n`, headers: { ...auth(keys.uploader), 'content-type': `multipart/form-data; boundary=${boundary}` } };
};

/** The API's hardened edges (issue 15) against the real stack: Kafka, the registry, ClickHouse and S3. */
describe('the API edges against the real stack', () => {
  let app: FastifyInstance;
  let config: Awaited<ReturnType<typeof projectionConfig>>;
  let ingested: TopicCollector<VideoIngested>;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    config = await projectionConfig({
      FILMROOM_API_KEYS: `up:uploader:${keys.uploader},rd:reader:${keys.reader},op:operator:${keys.operator}`,
      FILMROOM_API_SSE_HEARTBEAT_MS: '200',
    });
    app = await buildServer(config, { logLevel: 'silent' });
    const kafka = createKafka(config.kafka, 'it-api-edges');
    await provisionTopics(kafka, config.topics);
    const serde = new EventSerde(config.registry, config.topics);
    ingested = await new TopicCollector<VideoIngested>(kafka, topicName('video-ingested', config.topics), (v) => serde.decode('video-ingested', v)).start();
    running.push(stoppedTogether(await runProjectors({ config, log: createLogger('silent') }, ['videos'])));
  }, 120_000);

  afterAll(async () => {
    for (const r of running.reverse()) await r.stop();
    await ingested?.stop();
    await app?.close();
    if (config) await dropTestNamespace(config);
  });

  it('authenticates before validating, takes only s3:// sources, and bounds every number (400 naming the field, no 500)', async () => {
    const bad = { method: 'POST' as const, url: '/v1/videos', payload: { colour: 'red' } };
    expect((await app.inject(bad)).statusCode).toBe(401);
    expect((await app.inject({ ...bad, headers: auth(keys.reader) })).statusCode).toBe(403);
    const local = await app.inject({ method: 'POST', url: '/v1/videos', headers: auth(keys.uploader), payload: { source_uri: 'file:///etc/passwd' } });
    expect(local.statusCode).toBe(400);
    expect(local.json().message).toContain('body/source_uri must match pattern');
    expect(local.body).not.toContain('passwd');
    // A video this instance registered: its detections and ocr reach ClickHouse (an unknown one is a 404 before any query).
    const s3 = createS3Client(config.s3);
    await putObject(s3, { bucket: config.s3.buckets.uploads, key: 'edges/offset.mp4' }, Buffer.from('video'), 'video/mp4');
    s3.destroy();
    const source_uri = `s3://${config.s3.buckets.uploads}/edges/offset.mp4`;
    const registered = await app.inject({ method: 'POST', url: '/v1/videos', headers: auth(keys.uploader), payload: { source_uri, video_id: 'edges-offset' } });
    expect(registered.statusCode).toBe(202);
    expect((await app.inject({ url: '/v1/videos/nobody-here/detections', headers: auth(keys.reader) })).statusCode).toBe(404);
    for (const path of ['/v1/videos', '/v1/videos/edges-offset/detections', '/v1/videos/edges-offset/ocr']) {
      const huge = await app.inject({ url: `${path}?offset=99999999999999999999`, headers: auth(keys.reader) });
      expect(huge.statusCode, path).toBe(400);
      expect(huge.json().message).toContain('querystring/offset must be <= 10000000');
      // The largest offset allowed is one ClickHouse takes.
      expect((await app.inject({ url: `${path}?offset=10000000`, headers: auth(keys.reader) })).statusCode, path).toBe(200);
    }
  });

  it('a replay of a model the pipeline lacks, or a setting it does not take, is 422 naming body/model; a missing model is 400', async () => {
    const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/replays', headers: auth(keys.operator), payload });
    const unknown = await post({ stage: 'detect', model: 'no-such-model' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ error: 'UNPROCESSABLE' });
    expect(unknown.json().message).toMatch(/body\/model: unknown detect model 'no-such-model'/);
    const badSetting = await post({ stage: 'ocr', model: 'ppocr-rec-v4@q7' });
    expect(badSetting.statusCode).toBe(422);
    expect(badSetting.json().message).toContain('body/model');
    expect((await post({ stage: 'detect' })).statusCode).toBe(400);
  });

  it('Idempotency-Key: the same request twice is one replay (duplicate on the repeat), another body is 422, the new replay answers queued', async () => {
    const post = (payload: object) =>
      app.inject({ method: 'POST', url: '/v1/replays', headers: { ...auth(keys.operator), 'idempotency-key': 'edges-1' }, payload });
    const first = await post({ check_version: 'v2', prefix: 'edges-' });
    const second = await post({ check_version: 'v2', prefix: 'edges-' });
    expect(first.json().duplicate).toBe(false);
    expect(second.json()).toEqual({ ...first.json(), duplicate: true });
    const other = await post({ check_version: 'v1' });
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toBe('IDEMPOTENCY_KEY_REUSED');
    const status = await app.inject({ url: first.json().status_url, headers: auth(keys.operator) });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ replay_id: first.json().replay_id, state: 'queued', check_version: 'v2', prefix: 'edges-' });

    const video = (payload: object) =>
      app.inject({ method: 'POST', url: '/v1/videos', headers: { ...auth(keys.uploader), 'idempotency-key': 'edges-v' }, payload });
    const v1 = (await video({ source_uri: 's3://filmroom-uploads/edges/a.mp4' })).json();
    const v2 = (await video({ source_uri: 's3://filmroom-uploads/edges/a.mp4' })).json();
    expect([v1.duplicate, v2.duplicate]).toEqual([false, true]);
    expect(v2.event_id).toBe(v1.event_id);
    expect((await video({ source_uri: 's3://filmroom-uploads/edges/b.mp4' })).statusCode).toBe(422);
  });

  it('uploads take fields in any order and meta key=value; unknown fields are refused and leave no object; plays refuse unknown fields', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/uploads',
      ...form([['meta', 'court=3'], 'FILE', ['video_id', 'edges-upload-1'], ['meta', 'venue=hall']]),
    });
    expect(response.statusCode).toBe(202);
    const { source_uri: sourceUri } = response.json();
    const [bucket, ...key] = sourceUri.replace('s3://', '').split('/');
    const s3 = createS3Client(config.s3);
    try {
      expect((await getObjectBuffer(s3, { bucket, key: key.join('/') })).toString()).toBe('not really a video');
    } finally {
      s3.destroy();
    }
    await ingested.waitFor((r) => r.some((x) => x.value.video_id === 'edges-upload-1'), 30_000, 'the upload video-ingested');
    expect(ingested.records.find((r) => r.value.video_id === 'edges-upload-1')!.value.session_metadata).toEqual({ court: '3', venue: 'hall' });

    const refused = await app.inject({ method: 'POST', url: '/v1/uploads', ...form([['video_id', 'edges-upload-2'], 'FILE', ['colour', 'red']]) });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('body/colour: unknown form field');
    expect(ingested.records.some((r) => r.value.video_id === 'edges-upload-2')).toBe(false);

    const plays = await app.inject({
      method: 'POST',
      url: '/v1/games/edges-game/plays',
      headers: auth(keys.uploader),
      payload: [{ play_id: 'p1', angle: 'LEFT', start_s: 1, end_s: 2, colour: 'red' }],
    });
    expect(plays.statusCode).toBe(400);
    expect(plays.json().message).toContain('colour');
  });

  it('SSE: 404 for an unknown video; on a known one, heartbeats while nothing changes, the status typed as in REST', async () => {
    expect((await app.inject({ url: '/v1/videos/edges-nobody/events', headers: auth(keys.reader) })).statusCode).toBe(404);
    await app.inject({
      method: 'POST',
      url: '/v1/videos',
      headers: auth(keys.uploader),
      payload: { source_uri: 's3://filmroom-uploads/edges/sse.mp4', video_id: 'edges-sse' },
    });
    await queryUntil<{ n: string }>(config, "SELECT count() AS n FROM job_status WHERE video_id = 'edges-sse'", (rows) => Number(rows[0]?.n) > 0, 60_000);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const abort = new AbortController();
    const response = await fetch(`${address}/v1/videos/edges-sse/events`, { headers: auth(keys.reader), signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let text = '';
    const started = Date.now();
    while ((text.match(/^: heartbeat$/gm)?.length ?? 0) < 2 && Date.now() - started < 10_000) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    expect(text.match(/^: heartbeat$/gm)?.length).toBeGreaterThanOrEqual(2);
    const progress = JSON.parse(/^event: progress\ndata: (.*)$/m.exec(text)![1]!);
    const rest = (await app.inject({ url: '/v1/videos/edges-sse', headers: auth(keys.reader) })).json();
    expect(progress).toEqual(rest);
    expect(typeof progress.failures).toBe('number');
    expect(typeof progress.eta_seconds).toBe('number');
  });
});
