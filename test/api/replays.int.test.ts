import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { createLogger } from '../../common/logger.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { runProjectors } from '../../projections/projector.ts';
import { runReplayCoordinator } from '../../processors/replay/coordinator.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import type { RunningProcessor } from '../../streams/runtime.ts';
import { publishOnce } from '../support/publish.ts';
import { EventSerde } from '../../streams/serde.ts';
import { provisionTopics } from '../../streams/topics.ts';
import { batch, dropTestNamespace, projectionConfig, stoppedTogether } from '../support/projection-fixture.ts';

const keys = { reader: 'reader-secret-0123456789', operator: 'operator-secret-012345678' };
const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('operator replays and consumer lag through the API (real stack)', () => {
  let app: FastifyInstance;
  let config: Awaited<ReturnType<typeof projectionConfig>>;
  const running: { stop(): Promise<void> }[] = [];
  let coordinator: RunningProcessor;

  beforeAll(async () => {
    config = await projectionConfig({ FILMROOM_API_KEYS: `rd:reader:${keys.reader},op:operator:${keys.operator}` });
    app = await buildServer(config, { logLevel: 'silent' });
    const kafka = createKafka(config.kafka, 'it-replays');
    await provisionTopics(kafka, config.topics);
    const log = createLogger('silent'); // the replay dead-letters its artifact-less batches on purpose
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    running.push(stoppedTogether(await runProjectors({ config, log }, ['replays'])));
    running.push({ stop: () => clickhouse.close() });
    const serde = new EventSerde(config.registry, config.topics);
    const s3 = createS3Client(config.s3);
    coordinator = await runReplayCoordinator({
      config,
      serde,
      frameSource: createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: config.frames.cacheBatches }),
      kafka,
      log,
    });
  }, 120_000);

  afterAll(async () => {
    await coordinator?.stop();
    for (const r of running.reverse()) await r.stop();
    await app?.close();
    if (config) await dropTestNamespace(config);
  });

  it('validates replay requests: 401/403 by role, 400 naming the field for unknown versions, bad times, unknown fields and hostile prefixes', async () => {
    const post = (payload: object, key = keys.operator) => app.inject({ method: 'POST', url: '/v1/replays', payload, headers: auth(key) });
    expect((await app.inject({ method: 'POST', url: '/v1/replays', payload: { check_version: 'v2' } })).statusCode).toBe(401);
    expect((await post({ check_version: 'v2' }, keys.reader)).statusCode).toBe(403);
    const unknownVersion = await post({ check_version: 'v9' });
    expect(unknownVersion.statusCode).toBe(400);
    expect(unknownVersion.json().message).toContain('body/check_version must be equal to one of the allowed values');
    const badTime = await post({ check_version: 'v2', from: 'yesterday' });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().message).toContain('body/from');
    const unknownField = await post({ check_version: 'v2', threshold: 3 });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().message).toContain('body must NOT have additional properties: threshold');
    const hostile = await post({ check_version: 'v2', prefix: "x' OR 1=1 --" });
    expect(hostile.statusCode).toBe(400);
    expect(hostile.json().message).toContain('body/prefix');
    expect((await app.inject({ url: "/v1/replays/x'%20OR%201=1", headers: auth(keys.operator) })).statusCode).toBe(400);
    expect((await app.inject({ url: '/v1/replays/no-such-replay', headers: auth(keys.operator) })).statusCode).toBe(404);
  });

  it('accepts a replay (202), is idempotent per Idempotency-Key, and reports it completed once `run` carried it out', async () => {
    const kafka = createKafka(config.kafka, 'it-replays-publish');
    // Batches whose artifacts do not exist: the replay goes through them (each a dead-lettered check) and still completes.
    await publishOnce(kafka, new EventSerde(config.registry, config.topics), config.topics, [batch('replay-a', 0, 2), batch('replay-a', 1, 2)]);
    const request = { check_version: 'v2', from: '2020-01-01T00:00:00Z', prefix: 'replay-' };
    const headers = { ...auth(keys.operator), 'idempotency-key': `replay-test-${config.topics.prefix}` };
    const accepted = await app.inject({ method: 'POST', url: '/v1/replays', payload: request, headers });
    expect(accepted.statusCode).toBe(202);
    const { replay_id, status_url, duplicate } = accepted.json();
    expect(duplicate).toBe(false);
    expect(status_url).toBe(`/v1/replays/${replay_id}`);

    let status: Record<string, unknown> = {};
    expect((await app.inject({ url: status_url, headers: auth(keys.reader) })).statusCode).toBe(403);
    for (let i = 0; i < 120 && status.state !== 'completed'; i++) {
      status = (await app.inject({ url: status_url, headers: auth(keys.operator) })).json();
      await sleep(500);
    }
    expect(status).toMatchObject({
      replay_id,
      check_version: 'v2',
      from: '2020-01-01T00:00:00.000Z',
      prefix: 'replay-',
      state: 'completed',
      batches_done: 2,
      batches_total: 2,
      progress_percent: 100,
      requested_by: 'op',
      error: null,
    });
    const again = await app.inject({ method: 'POST', url: '/v1/replays', payload: request, headers });
    expect(again.json()).toEqual({ replay_id, status_url, duplicate: true });
  }, 120_000);

  it('exposes consumer lag per group and projection lag per family in /metrics', async () => {
    await coordinator.stop();
    // With the coordinator stopped, a new request waits in replay-requested: its group lags by one.
    const accepted = await app.inject({ method: 'POST', url: '/v1/replays', payload: { check_version: 'v1' }, headers: auth(keys.operator) });
    expect(accepted.statusCode).toBe(202);
    const queued = await app.inject({ url: accepted.json().status_url, headers: auth(keys.operator) });
    await sleep(5500); // the lag figures are cached for 5 s
    let body = '';
    for (let i = 0; i < 40; i++) {
      body = (await app.inject({ url: '/metrics' })).body;
      if (/filmroom_projection_lag\{family="replays"\} 0/.test(body)) break;
      await sleep(500);
    }
    const prefix = config.topics.prefix.replaceAll('.', '\\.');
    expect(body).toMatch(new RegExp(`filmroom_consumer_group_lag\\{group="${prefix}filmroom\\.replay",topic="${prefix}filmroom\\.replay-requested"\\} 1\\b`));
    expect(body).toMatch(/filmroom_projection_lag\{family="replays"\} 0\b/);
    expect(body).toContain('filmroom_consumer_group_lag_up 1');
    expect(body).not.toMatch(/group="[^"]*\.replay-/); // finished replays' groups are not reported as lagging
    expect([404, 200]).toContain(queued.statusCode);
  }, 120_000);
});
