import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import type { Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { createClickHouse, type ClickHouse, type SqlParams } from '../projections/clickhouse-client.ts';
import { migrate } from '../projections/migrate.ts';
import { projectionFamilies, runProjectors, writeCheckVersions, type ProjectionFamily } from '../projections/projector.ts';
import { jobStatusManyRead } from '../projections/read-model/job-status.ts';
import { manifestPointRead } from '../projections/read-model/manifests.ts';
import type { AnyEventName } from '../schemas/index.ts';
import { endOffsets } from '../streams/batch-consumer.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics, topicName } from '../streams/topics.ts';
import { benchVideoId, syntheticVideoEvents } from './api-synthetic-videos.ts';

/** Latency percentiles (ms) and rate (per second) of one measurement. */
export interface ReadFigures {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
  /** Answers that were not a 200 with a body (or failed queries): any makes the figures suspect. */
  failures: number;
}

export interface ApiBenchResult {
  videos: number;
  events: number;
  publishSeconds: number;
  projectSeconds: number;
  /** The point read over ClickHouse's HTTP interface, one at a time, and 50 in flight. */
  pointReadSerial: ReadFigures;
  pointReadConcurrent: ReadFigures;
  /** One video's manifest rows (every check version), bare over HTTP, one at a time. */
  manifestPointReadSerial: ReadFigures;
  /** `GET /v1/videos/:id` (random ids) and `GET /v1/videos?limit=50`, 50 connections, autocannon. */
  apiGet: ReadFigures;
  apiList: ReadFigures;
}

/** Families whose tables the synthetic videos fill; the read model's other tables stay empty. */
const families: ProjectionFamily[] = ['videos', 'batches', 'checks', 'failures'];
const connections = 50;
const durationSeconds = 10;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function figures(latencies: number[], seconds: number, failures: number): ReadFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { requests: sorted.length, seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), perSecond: sorted.length / seconds, failures };
}

/** Publishes every video's events through the events port (Kafka), then runs the projectors until they have written them all. */
async function loadVideos(config: Config, videos: number): Promise<{ events: number; publishSeconds: number; projectSeconds: number }> {
  const admin = createClickHouse(config.clickhouse);
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  await migrate(admin, client, config.clickhouse.database);
  await writeCheckVersions(client);
  await Promise.all([admin.close(), client.close()]);
  const eventNames = families.flatMap((family) => [...projectionFamilies[family].events]) as AnyEventName[];
  const kafka = createKafka(config.kafka, 'bench-api');
  await provisionTopics(kafka, config.topics, eventNames);
  const publisher = await createKafkaPublisher(kafka, new EventSerde(config.registry, config.topics), config.topics, { events: eventNames });
  // Ingested a second apart, the newest last, ending now.
  const first = Date.now() - videos * 1000;
  let events = 0;
  const publishStarted = performance.now();
  try {
    for (let at = 0; at < videos; at += 500) {
      const chunk = Array.from({ length: Math.min(500, videos - at) }, (_, i) => syntheticVideoEvents(at + i, first + (at + i) * 1000)).flat();
      await publisher.publish(chunk);
      events += chunk.length;
    }
  } finally {
    await publisher.close();
  }
  const publishSeconds = (performance.now() - publishStarted) / 1000;
  const ends = await endOffsets(
    kafka,
    eventNames.map((event) => topicName(event, config.topics)),
  );
  const projectStarted = performance.now();
  const projectors = await runProjectors({ config, log: createLogger('silent') }, families);
  try {
    await Promise.all(
      families.map((family, i) => {
        const topics = new Set(projectionFamilies[family].events.map((event) => topicName(event, config.topics)));
        return projectors[i]!.waitUntilCaughtUp(new Map([...ends].filter(([key]) => topics.has(key.slice(0, key.lastIndexOf('/'))))), 600_000);
      }),
    );
  } finally {
    await Promise.all(projectors.map((projector) => projector.stop()));
  }
  return { events, publishSeconds, projectSeconds: (performance.now() - projectStarted) / 1000 };
}

const randomVideo = (videos: number) => benchVideoId(Math.floor(Math.random() * videos));

interface PointRead {
  query: string;
  params: (videoId: string) => SqlParams;
}

/** What the API sends for one video's status: the batched status read with one id. */
const statusPointRead: PointRead = { query: jobStatusManyRead, params: (videoId: string) => ({ video_ids: [videoId] }) };
const manifestRead: PointRead = { query: manifestPointRead, params: (videoId: string) => ({ video_id: videoId }) };

/** A point read of the read model (`read`, for one random video), bare: `inFlight` at a time, for `seconds` (after a warm-up). */
async function pointReads(client: ClickHouse, videos: number, inFlight: number, seconds: number, read: PointRead = statusPointRead): Promise<ReadFigures> {
  const { query, params } = read;
  for (let i = 0; i < 20; i++) await client.select(query, params(randomVideo(videos)));
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const began = performance.now();
        const rows = await client.select(query, params(randomVideo(videos))).catch(() => []);
        latencies.push(performance.now() - began);
        // Every synthetic video has one status and one manifest row (check version v1).
        if (rows.length !== 1) failures++;
      }
    }),
  );
  return figures(latencies, (performance.now() - started) / 1000, failures);
}

/** The API in its own process (bench/api-server.ts) on this run's database, with a reader key. */
async function startApi(config: Config, readerKey: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'api-server.ts')], {
    env: {
      ...process.env,
      FILMROOM_TOPIC_PREFIX: config.topics.prefix,
      FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database,
      FILMROOM_API_KEYS: `bench:reader:${readerKey}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench api server exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** autocannon against one path (or a fresh path per request), `connections` at a time, bounded. */
async function cannon(base: string, readerKey: string, path: () => string): Promise<ReadFigures> {
  const result = await autocannon({
    url: base,
    connections,
    duration: durationSeconds,
    // A slow answer is counted with its latency, not as an error (autocannon's default gives up after 10 s).
    timeout: 60,
    headers: { authorization: `Bearer ${readerKey}` },
    requests: [{ setupRequest: (request) => ({ ...request, path: path() }) }],
  });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    perSecond: result.requests.total / result.duration,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * `filmroom bench --only api`: `videos` videos of synthetic events published through Kafka and
 * written by the projectors, then the read model's point read of one video's status, bare over
 * ClickHouse's HTTP interface (one at a time, then 50 in flight) and of its manifest rows, next to the API's
 * `GET /v1/videos/:id` and `GET /v1/videos?limit=50` under autocannon (50 connections, loopback).
 */
export async function apiReadThroughput(config: Config, videos: number, onStep: (line: string) => void): Promise<ApiBenchResult> {
  onStep(`bench: publishing the synthetic events of ${videos} videos through Kafka and projecting them...`);
  const loaded = await loadVideos(config, videos);
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  const readerKey = randomBytes(16).toString('hex');
  try {
    onStep(`bench: point reads in ClickHouse, one at a time then ${connections} in flight, ${durationSeconds} s each...`);
    const pointReadSerial = await pointReads(client, videos, 1, durationSeconds);
    const pointReadConcurrent = await pointReads(client, videos, connections, durationSeconds);
    onStep(`bench: manifest point reads in ClickHouse, one at a time, ${durationSeconds} s...`);
    const manifestPointReadSerial = await pointReads(client, videos, 1, durationSeconds, manifestRead);
    onStep(`bench: the API under autocannon, ${connections} connections, ${durationSeconds} s per route...`);
    const api = await startApi(config, readerKey);
    try {
      const apiGet = await cannon(api.base, readerKey, () => `/v1/videos/${randomVideo(videos)}`);
      const apiList = await cannon(api.base, readerKey, () => '/v1/videos?limit=50');
      return { videos, ...loaded, pointReadSerial, pointReadConcurrent, manifestPointReadSerial, apiGet, apiList };
    } finally {
      await api.stop();
    }
  } finally {
    await client.close();
  }
}
