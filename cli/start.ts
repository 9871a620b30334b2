import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { Config } from '../common/config.ts';
import { formatReport, stackUp } from '../deploy/local/stack.ts';
import { videoIngestedOf } from '../processors/ingest/video-ingested.ts';
import { createClickHouse, param } from '../projections/clickhouse-client.ts';
import { ensureSample } from '../samples/index.ts';
import { createS3Client, putObject, s3Uri } from '../storage/object-store.ts';
import { deterministicEventId } from '../schemas/envelope.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { publishEvents } from '../streams/publish.ts';
import { shutdownDeadlineMs, stopOnSignals } from './stop-on-signals.ts';
import { metricsRegistry } from '../streams/metrics.ts';
import { serveMetrics } from '../streams/metrics-server.ts';
import { EventSerde } from '../streams/serde.ts';
import { followJob, statusLine } from './follow.ts';
import type { CliContext } from './context.ts';
import { pipelineParts, stagesOf, startPipeline } from './pipeline.ts';

const sampleBatchSize = 5;

/**
 * The main job: bring the stack up, run every processor, projection and the API in this process,
 * generate the bundled sample if absent and ingest it, show live progress per phase, print its job
 * status and manifest from ClickHouse and the API's URLs, then keep serving until Ctrl-C
 * (`--once`: exit 0 after the manifest).
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
  s3.destroy();

  // Without configured keys the API gets keys for this session only, printed below.
  const apiConfig: Config = config.api.keys.length > 0 ? config : { ...config, api: { ...config.api, keys: sessionKeys() } };
  const metrics = await serveMetrics(metricsRegistry, config.metrics);
  const pipeline = await startPipeline(apiConfig, log, pipelineParts, { apiLogLevel: process.env.FILMROOM_LOG_LEVEL ? config.logLevel : 'warn' });
  if (pipeline.migrated.length) ctx.print(`clickhouse: applied migrations ${pipeline.migrated.join(', ')}`);
  const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  try {
    // A run id keeps each `npm start` a fresh video, so its progress is visible from zero.
    const videoId = `sample-${deterministicEventId('video-ingested', Date.now()).slice(0, 8)}`;
    const stages = stagesOf(pipelineParts);
    const ingestion = videoIngestedOf({
      videoId,
      sourceUri: s3Uri(sourceLocation),
      options: { batch_size: sampleBatchSize, stages },
      sessionMetadata: { source: 'bundled sample' },
      uploader: 'filmroom start',
      producer: { name: 'cli', version: '0.1.0' },
      now: Date.now(),
    });
    ctx.print(`ingesting ${s3Uri(sourceLocation)} as video ${videoId} (stages ${stages.join(', ')}; batches of ${sampleBatchSize} frames, 1 frame per second)`);
    await publishEvents(createKafka(config.kafka, 'filmroom-start'), new EventSerde(config.registry, config.topics), config.topics, [ingestion]);
    const final = await followJob(clickhouse, videoId, { print: ctx.print });
    ctx.print(`\n${statusLine(final)}`);

    const query = (sql: string) => clickhouse.select<Record<string, unknown>>(sql, { video_id: videoId });
    const status = await query(
      `SELECT state, progress_percent, extraction_progress, detection_progress, ocr_progress, checks_progress, failures FROM job_status WHERE video_id = ${param('video_id')}`,
    );
    const manifest = await query(
      `SELECT check_version, dark_fraction, is_video_mostly_dark, is_dpi_scale_issue, video_menu_percent, is_video_mostly_menu, frozen_fraction, complete FROM manifests WHERE video_id = ${param('video_id')} ORDER BY check_version`,
    );
    ctx.print(`\nClickHouse job_status: ${JSON.stringify(status[0] ?? {})}`);
    for (const row of manifest) ctx.print(`ClickHouse manifests:  ${JSON.stringify(row)}`);
    if (stages.includes('OCR')) {
      const texts = await query(
        `SELECT text, count() AS frames FROM ocr_texts FINAL WHERE video_id = ${param('video_id')} GROUP BY text ORDER BY frames DESC, text LIMIT 5`,
      );
      for (const row of texts) ctx.print(`ClickHouse ocr_texts:  ${JSON.stringify(row)}`);
    }
    if (final.state !== 'complete') throw new Error(`processing the sample ended ${final.state}: ${final.last_error}`);
    if (stages.includes('RENDER')) {
      // The render stage finishes after the last batch is read: wait for its row (it is not part of job_status).
      const deadline = Date.now() + 180_000;
      let renders: Record<string, unknown>[] = [];
      while (renders.length === 0 && Date.now() < deadline) {
        renders = await query(
          `SELECT preview_uri, contact_sheet_uri, length(thumbnail_uris) AS thumbnails FROM renders FINAL WHERE video_id = ${param('video_id')}`,
        );
        if (renders.length === 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      if (renders[0]) ctx.print(`ClickHouse renders:    ${JSON.stringify(renders[0])}`);
      else ctx.print('renders: not done after 180 s (see `filmroom status` and the failures table)');
    }

    ctx.print('\nQuery them yourself:');
    ctx.print(
      `  clickhouse-client --port ${config.clickhouse.tcpPort} --user ${config.clickhouse.user} --password <FILMROOM_CLICKHOUSE_PASSWORD> --database ${config.clickhouse.database} \\`,
    );
    ctx.print(`    --query "SELECT video_id, state, progress_percent, checks_progress FROM job_status WHERE video_id = '${videoId}' FORMAT PrettyCompact"`);
    const address = pipeline.app?.server.address() as AddressInfo | null | undefined;
    const base = `http://${config.api.host}:${address?.port ?? config.api.port}`;
    ctx.print(`\nAPI: ${base} (OpenAPI UI at ${base}/docs); this process's metrics: ${metrics.url}`);
    if (config.api.keys.length === 0) {
      ctx.print('FILMROOM_API_KEYS is not set: keys for this session only:');
      for (const key of apiConfig.api.keys) ctx.print(`  ${key.role.padEnd(8)} ${key.secret}`);
    }
    ctx.print(`  curl -H 'Authorization: Bearer <reader key>' ${base}/v1/videos/${videoId}`);
    ctx.print(`  curl -H 'Authorization: Bearer <reader key>' '${base}/v1/manifests?format=csv'`);
    if (stages.includes('RENDER')) ctx.print(`  curl -H 'Authorization: Bearer <reader key>' ${base}/v1/videos/${videoId}/renders`);
  } catch (error) {
    await clickhouse.close();
    await pipeline.stop();
    await metrics.stop();
    throw error;
  }
  await clickhouse.close();
  if (options.once) {
    await pipeline.stop();
    await metrics.stop();
    ctx.print('\n--once: done. Stop the stack with `npm run stack -- down`.');
    return;
  }
  ctx.print('Serving until Ctrl-C (processors, projections and API; the stack keeps running: `npm run stack -- down` stops it).');
  stopOnSignals([pipeline, metrics], log, { deadlineMs: shutdownDeadlineMs(config) });
  await new Promise(() => {});
}

/** Random keys, one per role, for a local session started without FILMROOM_API_KEYS. */
function sessionKeys(): Config['api']['keys'] {
  return (['uploader', 'reader', 'operator'] as const).map((role) => ({ name: `session-${role}`, role, secret: randomBytes(18).toString('base64url') }));
}
