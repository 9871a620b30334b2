import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { FilmroomError } from '../common/errors.ts';
import { checkVersions } from '../processors/checks/index.ts';
import {
  currentReplayTargets,
  planModelReplay,
  replayIdFor,
  replayInputOf,
  replayRequestedOf,
  runReplay,
  type ReplayStage,
} from '../processors/replay/index.ts';
import type { ReadModel } from '../projections/read-model/port.ts';
import { presentStageTimings, stageTimingLines } from '../projections/read-model/stage-timings.ts';
import { createFrameSource } from '../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../storage/object-store.ts';
import { metricsRegistry } from '../streams/metrics.ts';
import { serveMetrics } from '../streams/metrics-server.ts';
import { shutdownDeadlineMs, stopOnSignals } from './stop-on-signals.ts';
import { EventSerde } from '../streams/serde.ts';
import { topicName } from '../streams/topics.ts';
import { followStatus, statusLine } from './follow.ts';
import { registerIngestCommand } from './ingest-command.ts';
import type { CliContext } from './context.ts';
import { withCliPorts } from './ports.ts';
import { modelLoader, pipelineParts, startPipeline, type PipelinePart } from './pipeline.ts';

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Follows a published replay through its status until it completes (its model version computed, if any); exit code 1 if it failed. */
async function followReplay(readModel: ReadModel, replayId: string, onProgress: (done: number, state: string) => void): Promise<string | null> {
  const waitingSince = Date.now();
  for (;;) {
    const status = await readModel.replayStatus(replayId);
    if (status) onProgress(status.batches_done, status.state);
    if (status?.state === 'completed') return status.model;
    if (status?.state === 'failed') throw new FilmroomError('HANDLER_FAILED', `replay ${replayId} failed: ${status.error}`);
    if ((!status || status.state === 'queued') && Date.now() - waitingSince > 60_000)
      throw new FilmroomError(
        'SERVICE_UNAVAILABLE',
        `replay ${replayId} has not started after 60 s: is \`filmroom run\` (with checks and projections) running? (or use --local)`,
        { retriable: false },
      );
    await sleep(1000);
  }
}

export function registerPipelineCommands(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('Run processors, projectors and the API in this process until Ctrl-C (all by default, or a subset to scale out)')
    .option('--only <parts...>', `what to run: ${pipelineParts.join(', ')} (default: all)`)
    .option('--check-version <version>', 'check version of the checks processor (default: FILMROOM_CHECK_VERSION)')
    .action(async (options: { only?: string[]; checkVersion?: string }) => {
      const chosen = (options.only ?? [...pipelineParts]) as PipelinePart[];
      const unknown = chosen.filter((part) => !pipelineParts.includes(part));
      if (unknown.length) throw new FilmroomError('USAGE', `--only takes ${pipelineParts.join(', ')} (got ${unknown.join(', ')})`);
      const config = ctx.config();
      const log = ctx.log();
      // Every process serves its own /metrics: scaled-out workers are scraped one by one.
      const metrics = await serveMetrics(metricsRegistry, config.metrics);
      const pipeline = await startPipeline(config, log, chosen, {
        ...(options.checkVersion ? { checkVersion: options.checkVersion } : {}),
        apiLogLevel: process.env.FILMROOM_LOG_LEVEL ? config.logLevel : 'warn',
        onStep: (part) => ctx.print(`filmroom run: starting ${part}`),
      }).catch(async (error: unknown) => {
        await metrics.stop();
        throw error;
      });
      if (pipeline.migrated.length) ctx.print(`clickhouse: applied migrations ${pipeline.migrated.join(', ')}`);
      if (pipeline.app) {
        if (config.api.keys.length === 0) ctx.print('api: FILMROOM_API_KEYS is empty: every /v1 request will be refused with 401');
        const address = pipeline.app.server.address();
        ctx.print(
          `api: http://${config.api.host}:${typeof address === 'object' && address ? address.port : config.api.port} (OpenAPI at /docs, the dashboard at /)`,
        );
      }
      ctx.print(`metrics: ${metrics.url}`);
      ctx.print(`filmroom run: ${chosen.join(', ')} running against ${config.kafka.brokers.join(',')}; Ctrl-C stops them cleanly`);
      stopOnSignals([pipeline, metrics], log, { deadlineMs: shutdownDeadlineMs(config) });
      await new Promise(() => {}); // runs until a signal
    });

  registerIngestCommand(program, ctx);

  program
    .command('status')
    .argument('<video-id>', 'the video id')
    .description("Show a video's job status from ClickHouse; --follow until it finishes (exit 1 unless complete)")
    .option('--follow', 'keep showing progress until the job ends', false)
    .action(async (videoId: string, options: { follow: boolean }) => {
      await withCliPorts(ctx.config(), 'filmroom-status', async ({ readModel }) => {
        if (options.follow) return followStatus(ctx, readModel, videoId);
        const row = await readModel.jobStatus(videoId);
        // Not a usage error: the command was right, the video is not there (exit 1).
        if (!row) throw new FilmroomError('NOT_FOUND', `no video ${videoId} in job_status`);
        ctx.print(statusLine(row));
        for (const line of stageTimingLines(presentStageTimings(await readModel.stageTimings(videoId)))) ctx.print(line);
      });
    });

  const replay = program.command('replay').description('Recompute derived results from the events and stored artifacts');
  const common = (command: Command) =>
    command
      .option('--from <when>', "'earliest' or an ISO time: replay the batches extracted (for ocr: detected) from then on", 'earliest')
      .option('--prefix <video-id-prefix>', 'only videos whose id starts with this')
      .option('--local', 'run the replay in this process (no `filmroom run` needed)', false);
  common(
    replay
      .command('checks')
      .description(
        'Recompute the checks with a check version over the stored batches (no source video is read again). Publishes a replay request that `filmroom run` carries out and follows it; --local runs it in this process instead',
      )
      .requiredOption('--check-version <version>', 'the check version to compute'),
  ).action((options: ReplayOptions & { checkVersion: string }) => replayAction(ctx, 'checks', options));
  const modelHelp =
    'NAME[@VERSION]: a configured model, VERSION its settings (i<input size>, s<score>, n<nms iou>; c<min confidence> for ocr), optionally led by the weights digest, e.g. nanodet-416@s0.5';
  common(
    replay
      .command('detect')
      .description(
        "Recompute detection with another model version from the stored frames, into rows beside the pipeline's (no source video is downloaded or decoded). Reads default to the newest version",
      )
      .requiredOption('--model <model>', modelHelp),
  ).action((options: ReplayOptions & { model: string }) => replayAction(ctx, 'detect', options));
  common(
    replay
      .command('ocr')
      .description(
        "Recompute OCR with another model version over the pipeline's text regions and the stored frames, into rows beside the pipeline's. Reads default to the newest version",
      )
      .requiredOption('--model <model>', modelHelp),
  ).action((options: ReplayOptions & { model: string }) => replayAction(ctx, 'ocr', options));
}

interface ReplayOptions {
  from: string;
  prefix?: string;
  local: boolean;
  checkVersion?: string;
  model?: string;
}

/** `filmroom replay checks|detect|ocr`: publishes the request and follows it, or (--local) runs it here, with a progress bar. */
async function replayAction(ctx: CliContext, stage: ReplayStage, options: ReplayOptions): Promise<void> {
  const config = ctx.config();
  const fromTimestamp = options.from === 'earliest' ? null : Date.parse(options.from);
  if (fromTimestamp !== null && Number.isNaN(fromTimestamp)) throw new FilmroomError('USAGE', `--from takes 'earliest' or an ISO time (got '${options.from}')`);
  if (stage === 'checks' && !(options.checkVersion! in checkVersions))
    throw new FilmroomError('USAGE', `unknown check version '${options.checkVersion}': known versions are ${Object.keys(checkVersions).join(', ')}`);
  // Validated before anything connects: an unknown model or setting is a usage error (exit 2).
  if (stage !== 'checks') planModelReplay(stage, options.model!, config, '--model');
  await withCliPorts(config, 'filmroom-replay', async (ports) => {
    const request = replayRequestedOf(
      {
        replayId: replayIdFor(),
        stage,
        ...(options.checkVersion ? { checkVersion: options.checkVersion } : {}),
        ...(options.model ? { model: options.model } : {}),
        models: config,
        fromTimestamp,
        videoPrefix: options.prefix ?? null,
        targetOffsets: await currentReplayTargets(ports.kafka, config.topics, stage),
        requestedBy: 'cli',
        producer: { name: 'cli', version: '0.1.0' },
        now: Date.now(),
      },
      { checkVersion: '--check-version', model: '--model' },
    );
    const bar = new cliProgress.SingleBar(
      { format: ' Replay {replay} [{bar}] {value}/{total} batches {state}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 },
      cliProgress.Presets.shades_classic,
    );
    const total = request.value.target_offsets.reduce((sum, t) => sum + t.offset, 0);
    bar.start(total, 0, { replay: request.value.replay_id, state: '' });
    let computed: string | null = null;
    try {
      if (options.local) {
        const s3 = createS3Client(config.s3);
        try {
          // A replay alone reads each batch once: nothing to share, so no cache.
          const frameSource = createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: 0 });
          const outcome = await runReplay(
            { config, serde: new EventSerde(config.registry, config.topics), log: ctx.log(), frameSource, kafka: ports.kafka, models: modelLoader },
            request.value,
            { onProgress: (done) => bar.update(done) },
          );
          computed = outcome.model;
          bar.update(outcome.batchesReplayed);
        } finally {
          s3.destroy();
        }
      } else {
        await (await ports.publisher(['replay-requested'])).publish([request]);
        computed = await followReplay(ports.readModel, request.value.replay_id, (done, state) => bar.update(done, { state }));
      }
    } finally {
      bar.stop();
    }
    const over = `(replay ${request.value.replay_id}) over ${total} record(s) of ${topicName(replayInputOf(stage), config.topics)}`;
    ctx.print(
      stage === 'checks'
        ? `replayed checks ${options.checkVersion} ${over}; its manifests are in the manifests view (check_version = '${options.checkVersion}')`
        : `replayed ${stage} with ${computed ?? options.model} ${over}; reads default to the newest version, ?model=/--model picks one`,
    );
  });
}
