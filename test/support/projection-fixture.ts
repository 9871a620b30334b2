import { randomUUID } from 'node:crypto';
import type { Config } from '../../common/config.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { migrate } from '../../projections/migrate.ts';
import { writeCheckVersions } from '../../projections/projector.ts';
import type { BatchExtracted, CheckResult, ProcessingFailed } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';
import { isolatedConfig } from './echo-fixture.ts';
import { fixtureRuns } from './pipeline-fixture.ts';

/** The run a synthetic event of this video belongs to: the one `ingestion()` gave it, else none (an event from before runs). */
const runOf = (videoId: string) => fixtureRuns.get(videoId) ?? '';

/** A config with its own topics and its own ClickHouse database, migrated. */
export async function projectionConfig(overrides: Record<string, string> = {}): Promise<Config> {
  const config = isolatedConfig({ FILMROOM_CLICKHOUSE_DATABASE: `it_${randomUUID().replaceAll('-', '').slice(0, 12)}`, ...overrides });
  const admin = createClickHouse(config.clickhouse);
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  await migrate(admin, client, config.clickhouse.database);
  await writeCheckVersions(client);
  await admin.close();
  await client.close();
  return config;
}

/**
 * Projectors as one part to stop: all at once. Each waits out its last fetch (up to a second) as it
 * leaves its group, so stopping sixteen in turn took sixteen seconds.
 */
export const stoppedTogether = (projectors: readonly { stop(): Promise<void> }[]) => ({
  stop: async () => void (await Promise.all(projectors.map((projector) => projector.stop()))),
});

/**
 * Drops the test's database, and its topics when they are a test's own (an `it-` prefix): left behind,
 * a suite's thousands of partitions slowed every broker start (the chaos run's restart, the stack test).
 */
export async function dropTestNamespace(config: Config): Promise<void> {
  // A busy server (background merges of the test's tables) can take over the usual 30 s to drop sixty tables.
  const admin = createClickHouse(config.clickhouse, { requestTimeoutMs: 300_000 });
  await admin.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouse.database}` });
  await admin.close();
  if (config.topics.prefix.startsWith('it-')) await deleteTopicsOf(config);
}

async function deleteTopicsOf(config: Config): Promise<void> {
  try {
    await createKafka(config.kafka, 'it-cleanup').admin(async (admin) => {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(config.topics.prefix));
      if (topics.length) await admin.deleteTopics({ topics });
    });
  } catch {
    // Clean-up only: topics left behind cost the broker time, not the test its result.
  }
}

/** Rows of a query, polled until `until` holds or the timeout passes. */
export async function queryUntil<T>(config: Config, query: string, until: (rows: T[]) => boolean, timeoutMs = 60_000): Promise<T[]> {
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const rows = (await (await client.query({ query, format: 'JSONEachRow' })).json()) as T[];
      if (until(rows)) return rows;
      if (Date.now() > deadline) throw new Error(`timed out waiting on: ${query} (last: ${JSON.stringify(rows).slice(0, 500)})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.close();
  }
}

/* Synthetic events with known answers, for projection and API tests. */
const producer = { name: 'test', version: '0' };
const video = { duration_s: 40, fps: 30, width: 640, height: 360, codec: 'h264', frame_count: 1200, pix_fmt: 'yuv420p', bit_rate: 1_500_000 };

export function batch(videoId: string, index: number, count: number): Output<'batch-extracted'> {
  const frames = Array.from({ length: 10 }, (_, i) => (index * 10 + i) * 30);
  const value: BatchExtracted = {
    event_id: deterministicEventId('batch-extracted', videoId, ...runParts(runOf(videoId)), index, 'test'),
    occurred_at: 1_700_000_000_000 + index * 1000,
    producer,
    video_id: videoId,
    run_id: runOf(videoId),
    batch_index: index,
    batch_count: count,
    frame_start: frames[0]!,
    frame_end: frames[9]!,
    frame_indices: frames,
    timestamps_s: frames.map((f) => f / 30),
    artifact_uri: `s3://a/${videoId}/${index}`,
    video,
    source_uri: `s3://filmroom-uploads/${videoId}.mp4`,
    session_metadata: {},
    extractor_version: 'test',
    stages: ['EXTRACT', 'CHECKS'],
    detectors: ['objects', 'text'],
    transform: '',
  };
  return { event: 'batch-extracted', key: batchKey(videoId, index), value };
}

export function check(videoId: string, index: number, count: number, name: string, version: string, measures: Record<string, number>): Output<'check-result'> {
  const value: CheckResult = {
    event_id: deterministicEventId('check-result', videoId, ...runParts(runOf(videoId)), index, name, version),
    occurred_at: 1_700_000_100_000 + index * 1000,
    producer,
    video_id: videoId,
    run_id: runOf(videoId),
    batch_index: index,
    batch_count: count,
    check_name: name,
    check_version: version,
    measures,
    frames_evaluated: 10,
  };
  return { event: 'check-result', key: batchKey(videoId, index), value };
}

/** All five v1 checks of a batch, with `dark` of its 10 frames dark and so on. */
export const checksOf = (
  videoId: string,
  index: number,
  count: number,
  f: { dark: number; letterbox: number; menu: number; frozen: number; blurry: number },
) => [
  check(videoId, index, count, 'dark', 'v1', { dark_frames: f.dark, dark_ratio: f.dark / 10 }),
  check(videoId, index, count, 'letterbox', 'v1', {
    letterbox_frames: f.letterbox,
    letterbox_ratio: f.letterbox / 10,
    content_ratio_mean: 1 - f.letterbox / 20,
  }),
  check(videoId, index, count, 'menu', 'v1', { menu_frames: f.menu, menu_ratio: f.menu / 10 }),
  check(videoId, index, count, 'frozen', 'v1', { frozen_frames: f.frozen, frozen_ratio: f.frozen / 9, longest_frozen_run: f.frozen }),
  check(videoId, index, count, 'blur', 'v1', { blurry_frames: f.blurry, blurry_ratio: f.blurry / 10, laplacian_variance_mean: 100 }),
];

/** An extraction's failure; `batchIndex`: the first batch it did not extract (null: the whole video failed). */
export function failure(videoId: string, offset: number, message: string, batchIndex: number | null = null): Output<'processing-failed'> {
  const value: ProcessingFailed = {
    event_id: deterministicEventId('processing-failed', 'extract', 't', 0, offset),
    occurred_at: 1_700_000_200_000,
    producer,
    stage: 'extract',
    video_id: videoId,
    run_id: runOf(videoId),
    batch_index: batchIndex,
    error_class: 'PERMANENT',
    error_code: 'DECODE_FAILED',
    message,
    source: { topic: 't', partition: 0, offset, key: videoId },
    attempts: 1,
    payload: null,
  };
  return { event: 'processing-failed', key: videoId, value };
}
