import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { Config } from '../common/config.ts';
import { formatReport, stackUp } from '../deploy/local/stack.ts';
import { ingestVideo } from '../processors/ingest/ingest-video.ts';
import { ensureSample } from '../samples/index.ts';
import { sourceFingerprint } from '../processors/ingest/source-fingerprint.ts';
import { createS3Client, putObject, s3ObjectStore, s3Uri } from '../storage/object-store.ts';
import { deterministicEventId } from '../schemas/envelope.ts';
import { metricsRegistry } from '../streams/metrics.ts';
import { serveMetrics } from '../streams/metrics-server.ts';
import { shutdownDeadlineMs, stopOnSignals } from './stop-on-signals.ts';
import { followJob, statusLine } from './follow.ts';
import type { CliContext } from './context.ts';
import { pipelineParts, stagesOf, startPipeline } from './pipeline.ts';
import { openCliPorts } from './ports.ts';

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
  const fingerprint = await sourceFingerprint(s3ObjectStore(s3), s3Uri(sourceLocation));
  s3.destroy();

  // Without configured keys the API gets keys for this session only, printed below.
  const apiConfig: Config = config.api.keys.length > 0 ? config : { ...config, api: { ...config.api, keys: sessionKeys() } };
  const metrics = await serveMetrics(metricsRegistry, config.metrics);
  const pipeline = await startPipeline(apiConfig, log, pipelineParts, { apiLogLevel: process.env.FILMROOM_LOG_LEVEL ? config.logLevel : 'warn' });
  if (pipeline.migrated.length) ctx.print(`clickhouse: applied migrations ${pipeline.migrated.join(', ')}`);
  const ports = openCliPorts(config, 'filmroom-start');
  const { readModel } = ports;
  try {
    // A run id keeps each `npm start` a fresh video, so its progress is visible from zero.
    const videoId = `sample-${deterministicEventId('video-ingested', Date.now()).slice(0, 8)}`;
    const stages = stagesOf(pipelineParts);
    ctx.print(`ingesting ${s3Uri(sourceLocation)} as video ${videoId} (stages ${stages.join(', ')}; batches of ${sampleBatchSize} frames, 1 frame per second)`);
    await ingestVideo(
      { publisher: await ports.publisher(['video-ingested']), fingerprint: async () => fingerprint, now: Date.now },
      {
        videoId,
        sourceUri: s3Uri(sourceLocation),
        options: { batch_size: sampleBatchSize, stages },
        sessionMetadata: { source: 'bundled sample' },
        uploader: 'filmroom start',
        producer: { name: 'cli', version: '0.1.0' },
      },
    );
    const final = await followJob(readModel, videoId, { print: ctx.print });
    ctx.print(`\n${statusLine(final)}`);

    const { state, progress_percent, extraction_progress, detection_progress, ocr_progress, checks_progress, failures } = final;
    ctx.print(
      `\nClickHouse job_status: ${JSON.stringify({ state, progress_percent, extraction_progress, detection_progress, ocr_progress, checks_progress, failures })}`,
    );
    // Only this video's manifests: the prefix filter also matches longer ids, which this run's id never is a prefix of.
    for await (const m of readModel.manifests({ prefix: videoId })) {
      if (m.video_id !== videoId) continue;
      // The flags as ClickHouse stores them (0/1), as this line always showed them.
      const flag = (value: boolean) => Number(value);
      ctx.print(
        `ClickHouse manifests:  ${JSON.stringify({
          check_version: m.check_version,
          dark_fraction: m.dark_fraction,
          is_video_mostly_dark: flag(m.is_video_mostly_dark),
          is_dpi_scale_issue: flag(m.is_dpi_scale_issue),
          video_menu_percent: m.video_menu_percent,
          is_video_mostly_menu: flag(m.is_video_mostly_menu),
          frozen_fraction: m.frozen_fraction,
          complete: flag(m.complete),
        })}`,
      );
    }
    if (stages.includes('OCR')) for (const row of await readModel.topTexts(videoId, 5)) ctx.print(`ClickHouse ocr_texts:  ${JSON.stringify(row)}`);
    if (final.state !== 'complete') throw new Error(`processing the sample ended ${final.state}: ${final.last_error}`);
    if (stages.includes('RENDER')) {
      // The render stage finishes after the last batch is read: wait for its row (it is not part of job_status).
      const deadline = Date.now() + 180_000;
      let render = await readModel.latestRender(videoId);
      while (!render && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        render = await readModel.latestRender(videoId);
      }
      if (render)
        ctx.print(
          `ClickHouse renders:    ${JSON.stringify({ preview_uri: render.preview_uri, contact_sheet_uri: render.contact_sheet_uri, thumbnails: render.thumbnail_uris.length })}`,
        );
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
    ctx.print(`Dashboard: ${base}/ (videos, previews, uploads; enter an API key once per browser session)`);
    if (config.api.keys.length === 0) {
      ctx.print('FILMROOM_API_KEYS is not set: keys for this session only:');
      for (const key of apiConfig.api.keys) ctx.print(`  ${key.role.padEnd(8)} ${key.secret}`);
    }
    ctx.print(`  curl -H 'Authorization: Bearer <reader key>' ${base}/v1/videos/${videoId}`);
    ctx.print(`  curl -H 'Authorization: Bearer <reader key>' '${base}/v1/manifests?format=csv'`);
    if (stages.includes('RENDER')) ctx.print(`  curl -H 'Authorization: Bearer <reader key>' ${base}/v1/videos/${videoId}/renders`);
  } catch (error) {
    await ports.close();
    await pipeline.stop();
    await metrics.stop();
    throw error;
  }
  await ports.close();
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
