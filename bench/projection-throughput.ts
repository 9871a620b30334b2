import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { createClickHouse } from '../projections/clickhouse-client.ts';
import { JsonLines } from '../projections/json-lines.ts';
import { migrate } from '../projections/migrate.ts';
import { runProjectors } from '../projections/projector.ts';
import { rowsByTable } from '../projections/rows.ts';
import type { CheckResult } from '../schemas/index.ts';
import { endOffsets } from '../streams/batch-consumer.ts';
import { batchKey, deterministicEventId } from '../schemas/envelope.ts';
import { createKafka, sendRecords } from '../streams/kafka-client.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics, topicName } from '../streams/topics.ts';

export interface ProjectionBenchResult {
  events: number;
  projectorSeconds: number;
  /** The client's own insert of the rows as an array (it encodes them as JSONEachRow). */
  bareClientSeconds: number;
  /** The same rows encoded by the projector's own JSON-lines encoder: the projector's insert path without Kafka, Avro or row building. */
  bareEncodedSeconds: number;
}

function checkResult(i: number): CheckResult {
  const videoId = `bench-video-${Math.floor(i / 500)}`;
  const batchIndex = Math.floor(i / 5) % 100;
  const checkName = ['dark', 'letterbox', 'menu', 'frozen', 'blur'][i % 5]!;
  return {
    event_id: deterministicEventId('check-result', videoId, batchIndex, checkName, 'bench'),
    occurred_at: 1_700_000_000_000 + i,
    producer: { name: 'bench', version: '0' },
    video_id: videoId,
    run_id: '',
    batch_index: batchIndex,
    batch_count: 100,
    check_name: checkName,
    check_version: 'bench',
    measures: { frames: 30, ratio: (i % 30) / 30, mean: i % 255 },
    frames_evaluated: 30,
  };
}

/**
 * Projection ingest: check-result events through the checks projector (consume, decode, build
 * rows, insert, commit) next to two bare bulk inserts of the same rows into copies of the table,
 * 50,000 rows per insert: through the client's array insert, and through the projector's own
 * encoder and insert call (the stricter baseline, since it is the faster).
 */
export async function projectionThroughput(config: Config, events: number): Promise<ProjectionBenchResult> {
  const kafka = createKafka(config.kafka, 'bench-projection');
  await provisionTopics(kafka, config.topics, ['check-result']);
  const serde = new EventSerde(config.registry, config.topics);
  await serde.registerWriters(['check-result']);
  const values = Array.from({ length: events }, (_, i) => checkResult(i));
  const producer = kafka.producer();
  const topic = topicName('check-result', config.topics);
  for (let i = 0; i < events; i += 5000) {
    await sendRecords(
      producer,
      values.slice(i, i + 5000).map((v) => ({ topic, key: batchKey(v.video_id, v.batch_index), value: serde.encode('check-result', v) })),
    );
  }
  await producer.close();

  const admin = createClickHouse(config.clickhouse);
  const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  await migrate(admin, clickhouse, config.clickhouse.database);
  await clickhouse.command({ query: 'CREATE TABLE IF NOT EXISTS check_results_bare_client AS check_results' });
  await clickhouse.command({ query: 'CREATE TABLE IF NOT EXISTS check_results_bare_encoded AS check_results' });

  const rows = rowsByTable(values.map((value) => ({ event: 'check-result' as const, value }))).get('check_results')!;
  let started = performance.now();
  for (let i = 0; i < rows.length; i += 50_000)
    await clickhouse.insert({ table: 'check_results_bare_client', values: rows.slice(i, i + 50_000), format: 'JSONEachRow' });
  const bareClientSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  for (let i = 0; i < rows.length; i += 50_000) {
    const lines = new JsonLines();
    for (let j = i; j < Math.min(i + 50_000, rows.length); j++) lines.append(rows[j]!);
    await clickhouse.insertJsonLines('check_results_bare_encoded', lines.body());
  }
  const bareEncodedSeconds = (performance.now() - started) / 1000;

  const ends = await endOffsets(kafka, [topic]);
  const [projector] = await runProjectors({ config, log: createLogger('silent') }, ['checks']);
  // The clock runs from the group join to the last insert acknowledged: joining is not ingest.
  await projector!.joined;
  started = performance.now();
  const written = () => [...ends].every(([key, end]) => BigInt(projector!.positions().get(key) ?? '0') >= BigInt(end));
  while (!written()) await new Promise((resolve) => setTimeout(resolve, 5));
  const projectorSeconds = (performance.now() - started) / 1000;
  await projector!.waitUntilCaughtUp(ends, 60_000);
  await projector!.stop();
  await admin.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouse.database}` });
  await admin.close();
  await clickhouse.close();
  return { events, projectorSeconds, bareClientSeconds, bareEncodedSeconds };
}
