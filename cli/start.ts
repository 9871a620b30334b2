import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildApp } from '../api/app.ts';
import type { Config } from '../common/config.ts';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { createChecksProcessor } from '../processors/checks/index.ts';
import { createExtractProcessor } from '../processors/extract/index.ts';
import { videoIngestedOf } from '../processors/ingest/video-ingested.ts';
import { ensureSample } from '../samples/index.ts';
import type { BatchExtracted, CheckResult, ProcessingFailed } from '../schemas/index.ts';
import { formatReport, stackUp } from '../deploy/local/stack.ts';
import { createS3Client, putObject, s3Uri } from '../storage/object-store.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { publishEvents } from '../streams/publish.ts';
import { runProcessor, stopOnSignals } from '../streams/runtime.ts';
import { EventSerde } from '../streams/serde.ts';
import { productTopicEvents, provisionTopics, topicName } from '../streams/topics.ts';
import { endOffsets } from '../streams/batch-consumer.ts';
import { createClickHouse } from '../projections/clickhouse-client.ts';
import { migrate } from '../projections/migrate.ts';
import { sqlString } from '../projections/queries.ts';
import { runProjectors, writeCheckVersions } from '../projections/projector.ts';
import { deterministicEventId } from '../streams/event-ids.ts';
import type { CliContext } from './main.ts';

const sampleBatchSize = 5;

/**
 * The main job, as far as the processors that exist go: bring the stack up, generate the bundled
 * sample if absent, upload and ingest it, run extract and checks in this process with live
 * progress, and print what the checks found per batch. The API, projections and the other stages
 * join here as their issues land.
 */
export async function startMainJob(ctx: CliContext, options: { once: boolean } = { once: false }): Promise<void> {
  const config = ctx.config();
  const log = ctx.log();
  ctx.print('filmroom: bringing the local stack up...');
  await stackUp(config, log, (report) => ctx.print(formatReport(report)));

  const sample = await ensureSample(config);
  ctx.print(`\nsample: ${sample.path}${sample.generated ? ' (generated)' : ''}`);
  const s3 = createS3Client(config.s3);
  const sourceLocation = { bucket: config.s3.buckets.uploads, key: `samples/${basename(sample.path)}` };
  await putObject(s3, sourceLocation, readFileSync(sample.path), 'video/mp4');

  const kafka = createKafka(config.kafka, 'filmroom-start');
  await provisionTopics(kafka, config.topics);
  const serde = new EventSerde(config.registry, config.topics);
  const admin = createClickHouse(config.clickhouse);
  const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  const migrated = await migrate(admin, clickhouse, config.clickhouse.database);
  await writeCheckVersions(clickhouse);
  await admin.close();
  if (migrated.length) ctx.print(`clickhouse: applied migrations ${migrated.join(', ')}`);
  const projectors = await runProjectors({ config, serde: new EventSerde(config.registry, config.topics), clickhouse, log });
  const processors = [
    await runProcessor(createExtractProcessor({ s3, config }), { config, serde, log }),
    await runProcessor(createChecksProcessor({ s3, version: config.checks.version }), { config, serde: new EventSerde(config.registry, config.topics), log }),
  ];

  // A run id keeps each `npm start` a fresh video, so its progress is visible from zero.
  const videoId = `sample-${deterministicEventId('video-ingested', Date.now()).slice(0, 8)}`;
  const ingestion = videoIngestedOf({
    videoId,
    sourceUri: s3Uri(sourceLocation),
    options: { batch_size: sampleBatchSize, stages: ['EXTRACT', 'CHECKS'] },
    sessionMetadata: { source: 'bundled sample' },
    uploader: 'filmroom start',
    producer: { name: 'cli', version: '0.1.0' },
    now: Date.now(),
  });

  const extracted = new Map<number, BatchExtracted>();
  const results: CheckResult[] = [];
  const failures: ProcessingFailed[] = [];
  let batchCount = 0;
  const observer = kafka.consumer({ groupId: `filmroom-start-observer-${videoId}` });
  await observer.connect();
  for (const event of ['batch-extracted', 'check-result', 'processing-failed'] as const) {
    await observer.subscribe({ topic: topicName(event, config.topics), fromBeginning: false });
  }
  const bars = new cliProgress.MultiBar(
    { format: ' {phase} [{bar}] {value}/{total} {unit}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 2000 },
    cliProgress.Presets.shades_classic,
  );
  let extractBar: cliProgress.SingleBar | undefined;
  let checkBar: cliProgress.SingleBar | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const checksPerBatch = 5;
  // Only events after the join are read (a new group starts at the end): publish once joined.
  const joined = new Promise((resolve) => observer.on(observer.events.GROUP_JOIN, resolve));
  await observer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === topicName('batch-extracted', config.topics)) {
        const batch = await serde.decode('batch-extracted', message.value);
        if (batch.video_id !== videoId) return;
        extracted.set(batch.batch_index, batch);
        batchCount = batch.batch_count;
        extractBar ??= bars.create(batchCount, 0, { phase: 'Extraction', unit: 'batches' });
        checkBar ??= bars.create(batchCount * checksPerBatch, 0, { phase: 'Checks    ', unit: 'check results' });
        extractBar.update(extracted.size);
      } else if (topic === topicName('check-result', config.topics)) {
        const result = await serde.decode('check-result', message.value);
        if (result.video_id !== videoId) return;
        results.push(result);
        checkBar?.update(new Set(results.map((r) => `${r.batch_index}/${r.check_name}`)).size);
      } else {
        const failure = await serde.decode('processing-failed', message.value);
        if (failure.video_id === videoId) failures.push(failure);
      }
      const complete = batchCount > 0 && new Set(results.map((r) => `${r.batch_index}/${r.check_name}`)).size >= batchCount * checksPerBatch;
      if (complete || failures.length > 0) resolveDone();
    },
  });
  ctx.print(`ingesting ${s3Uri(sourceLocation)} as video ${videoId} (batches of ${sampleBatchSize} frames, 1 frame per second)`);
  await joined;
  await publishEvents(kafka, serde, config.topics, [ingestion]);
  await done;
  bars.stop();
  await observer.disconnect();
  // The projections catch up with everything the processors wrote before the job reports.
  const ends = await endOffsets(
    kafka,
    productTopicEvents.map((event) => topicName(event, config.topics)),
  );
  for (const projector of projectors) await projector.waitUntilCaughtUp(ends);

  if (failures.length > 0) {
    await Promise.all([...processors, ...projectors].map((p) => p.stop()));
    for (const f of failures) ctx.print(`failed: ${f.stage} ${f.error_code}: ${f.message}`);
    throw new Error(`processing the sample failed (${failures.length} failure event(s) in ${topicName('processing-failed', config.topics)})`);
  }
  const ratio = (batch: number, check: string, measure: string) =>
    results.find((r) => r.batch_index === batch && r.check_name === check)?.measures[measure] ?? 0;
  ctx.print(`\nchecks (${config.checks.version}) per batch, share of frames flagged:`);
  ctx.print('batch  seconds   dark  letterbox  menu  frozen  blur');
  for (let b = 0; b < batchCount; b++) {
    const seconds = extracted.get(b)?.timestamps_s ?? [];
    const span = `${seconds[0]?.toFixed(0) ?? '?'}-${seconds[seconds.length - 1]?.toFixed(0) ?? '?'}`.padEnd(8);
    const cells = [
      ['dark', 'dark_ratio'],
      ['letterbox', 'letterbox_ratio'],
      ['menu', 'menu_ratio'],
      ['frozen', 'frozen_ratio'],
      ['blur', 'blurry_ratio'],
    ].map(([check, measure], i) => ratio(b, check!, measure!).toFixed(2).padStart([5, 10, 5, 7, 5][i]!));
    ctx.print(`${String(b).padStart(5)}  ${span} ${cells.join(' ')}`);
  }
  ctx.print(
    `\n${batchCount} batches extracted to s3://${config.s3.buckets.artifacts}/videos/${videoId}/batches/, ${results.length} check results in ${topicName('check-result', config.topics)}.`,
  );

  const query = async (sql: string) => (await (await clickhouse.query({ query: sql, format: 'JSONEachRow' })).json()) as Record<string, unknown>[];
  const status = await query(`SELECT state, progress_percent, extraction_progress, checks_progress, failures FROM job_status WHERE video_id = ${sqlString(videoId)}`);
  const manifest = await query(
    `SELECT check_version, dark_fraction, is_video_mostly_dark, is_dpi_scale_issue, video_menu_percent, is_video_mostly_menu, frozen_fraction, complete FROM manifests WHERE video_id = ${sqlString(videoId)} ORDER BY check_version`,
  );
  ctx.print(`\nClickHouse job_status: ${JSON.stringify(status[0] ?? {})}`);
  for (const row of manifest) ctx.print(`ClickHouse manifests:  ${JSON.stringify(row)}`);
  ctx.print('\nQuery them yourself:');
  ctx.print(
    `  clickhouse-client --port ${config.clickhouse.tcpPort} --user ${config.clickhouse.user} --password <FILMROOM_CLICKHOUSE_PASSWORD> --database ${config.clickhouse.database} \\`,
  );
  ctx.print(`    --query "SELECT video_id, state, progress_percent, checks_progress FROM job_status WHERE video_id = '${videoId}' FORMAT PrettyCompact"`);

  if (options.once) {
    await Promise.all([...processors, ...projectors].map((p) => p.stop()));
    await clickhouse.close();
    s3.destroy();
    ctx.print('\n--once: done. Stop the stack with `npm run stack -- down`.');
    return;
  }
  // Keep serving: the processors and projectors go on, and the API joins them.
  const apiConfig = config.api.keys.length > 0 ? config : { ...config, api: { ...config.api, keys: sessionKeys() } };
  const app = await buildApp(apiConfig, { logLevel: process.env.FILMROOM_LOG_LEVEL ? config.logLevel : 'warn' });
  await app.listen({ host: config.api.host, port: config.api.port });
  const base = `http://${config.api.host}:${config.api.port}`;
  ctx.print(`\nAPI: ${base} (OpenAPI UI at ${base}/docs)`);
  if (config.api.keys.length === 0) {
    ctx.print('FILMROOM_API_KEYS is not set: keys for this session only:');
    for (const key of apiConfig.api.keys) ctx.print(`  ${key.role.padEnd(8)} ${key.secret}`);
  }
  ctx.print(`  curl -H 'Authorization: Bearer <reader key>' ${base}/v1/videos/${videoId}`);
  ctx.print(`  curl -H 'Authorization: Bearer <reader key>' '${base}/v1/manifests?format=csv'`);
  ctx.print('Serving until Ctrl-C (processors, projections and API; the stack keeps running: `npm run stack -- down` stops it).');
  stopOnSignals([...processors, ...projectors, { stop: () => app.close() }], log);
  await new Promise(() => {});
}

/** Random keys, one per role, for a local session started without FILMROOM_API_KEYS. */
function sessionKeys(): Config['api']['keys'] {
  return (['uploader', 'reader', 'operator'] as const).map((role) => ({ name: `session-${role}`, role, secret: randomBytes(18).toString('base64url') }));
}
