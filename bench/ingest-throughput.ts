import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { planBulkIngest, runBulkIngest, summarise, type BulkIngestRequest } from '../processors/ingest/bulk-ingest.ts';
import { parseTaskList } from '../processors/ingest/ingest-sources.ts';
import { videoIngestedOf } from '../processors/ingest/video-ingested.ts';
import { replayProgress } from '../processors/replay/index.ts';
import { createClickHouse } from '../projections/clickhouse-client.ts';
import { migrate } from '../projections/migrate.ts';
import { createClickHouseReadModel } from '../projections/read-model/clickhouse.ts';
import { createS3Client, listObjectSizes, putObject, s3ObjectStore } from '../storage/object-store.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { EventSerde } from '../streams/serde.ts';

/** Where the bench's tiny objects live: kept between runs, so the setup is paid once per machine. */
const benchPrefix = 'bench-ingest/2024/01/';

export interface IngestBenchResult {
  events: number;
  /** Bytes of one encoded video-ingested event (Avro + wire header): the record size for the Kafka baseline. */
  eventBytes: number;
  setupSeconds: number;
  /** Reading the task list and checking every item (one listing per folder), nothing written. */
  planSeconds: number;
  /** Publishing with the already-ingested check (one read-model query per 5,000 videos) and without it. */
  publishSeconds: number;
  publishUncheckedSeconds: number;
  summary: { ingested: number; skipped: number; refused: number };
}

/** Puts the missing ones of `count` tiny objects under the bench prefix, 32 at a time. */
async function ensureObjects(config: Config, count: number): Promise<string[]> {
  const s3 = createS3Client(config.s3);
  try {
    const bucket = config.s3.buckets.uploads;
    const keys = Array.from({ length: count }, (_, i) => `${benchPrefix}game-${String(i).padStart(5, '0')}.mp4`);
    const present = await listObjectSizes(s3, bucket, benchPrefix);
    const missing = keys.filter((key) => !present.has(key));
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < missing.length) await putObject(s3, { bucket, key: missing[next++]! }, Buffer.from('tiny'), 'video/mp4');
      }),
    );
    return keys.map((key) => `s3://${bucket}/${key}`);
  } finally {
    s3.destroy();
  }
}

/**
 * `filmroom bench --only ingest`: a task list of `count` existing S3 keys through the bulk
 * ingestion (plan, then publish in chunks) on the real ports, into this run's fresh topics and
 * database, so every item is new. The second publish repeats the same deterministic events
 * without the read-model check, to show what the check costs.
 */
export async function ingestThroughput(config: Config, count: number): Promise<IngestBenchResult> {
  const setupStarted = performance.now();
  const sources = await ensureObjects(config, count);
  mkdirSync(join(config.home, 'bench'), { recursive: true });
  const taskList = join(config.home, 'bench', `ingest-tasks-${count}.txt`);
  writeFileSync(taskList, `# ${count} existing keys\n${sources.join('\n')}\n`);
  const admin = createClickHouse(config.clickhouse);
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  await migrate(admin, client, config.clickhouse.database);
  await Promise.all([admin.close(), client.close()]);
  const kafka = createKafka(config.kafka, 'bench-ingest');
  const serde = new EventSerde(config.registry, config.topics);
  const publisher = await createKafkaPublisher(kafka, serde, config.topics, { events: ['video-ingested'] });
  const readModel = createClickHouseReadModel(config.clickhouse, { replayProgress: (replay) => replayProgress(kafka, config.topics, replay) });
  const s3 = createS3Client(config.s3);
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  try {
    const objectStore = s3ObjectStore(s3);
    const producer = { name: 'bench', version: '0' };
    const planStarted = performance.now();
    const request: BulkIngestRequest = {
      items: parseTaskList(readFileSync(taskList, 'utf8')),
      baseDir: config.home,
      allowLocal: true,
      uploadsBucket: config.s3.buckets.uploads,
      options: {},
      sessionMetadata: {},
      uploader: 'bench',
      producer,
    };
    const plans = await planBulkIngest(objectStore, request);
    const planSeconds = (performance.now() - planStarted) / 1000;
    const publishStarted = performance.now();
    const results = await runBulkIngest({ objectStore, publisher, currentRuns: (ids) => readModel.currentRuns(ids), now: Date.now }, request, plans);
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    // Planned before its clock starts, so only the publishing is timed.
    const plansAgain = await planBulkIngest(objectStore, request);
    const uncheckedStarted = performance.now();
    await runBulkIngest({ objectStore, publisher, now: Date.now }, request, plansAgain);
    const publishUncheckedSeconds = (performance.now() - uncheckedStarted) / 1000;
    const eventBytes = serde.encode('video-ingested', videoIngestedOf({ sourceUri: sources[0]!, uploader: 'bench', producer, now: Date.now() }).value).length;
    return { events: count, eventBytes, setupSeconds, planSeconds, publishSeconds, publishUncheckedSeconds, summary: summarise(results) };
  } finally {
    s3.destroy();
    await Promise.all([publisher.close(), readModel.close()]);
  }
}
