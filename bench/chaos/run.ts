/**
 * `npm run chaos` (`filmroom chaos`): the same videos through the default stages twice, on the
 * local stack, in two namespaces of their own (topic prefix and ClickHouse database). First calm, in
 * one `filmroom run` process; then with one process per kind while a seeded plan kill -9s them,
 * restarts the broker and stops ClickHouse and the S3 server for a while. Every video must end
 * `complete` with results checksum-equal to the calm run's. Loopback only, bounded in time.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../common/config.ts';
import { createLogger, type Logger } from '../../common/logger.ts';
import { stackUp, stopService } from '../../deploy/local/stack.ts';
import { startFilmroomRun } from '../../deploy/local/filmroom-process.ts';
import { videoIngestedOf } from '../../processors/ingest/video-ingested.ts';
import { createClickHouse, type ClickHouse } from '../../projections/clickhouse-client.ts';
import { sampleFont } from '../../samples/sample-video.ts';
import { createS3Client, putObject, s3Uri } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { createKafkaPublisher } from '../../streams/kafka-publisher.ts';
import { EventSerde } from '../../streams/serde.ts';
import { comparedTables, tableFigures, verdictOf, type TableVerdict } from './compare.ts';
import { describeFault, ingestTimes, planFaults, processKinds, type Fault } from './plan.ts';
import { ProgressMonitor, type ProgressSignal } from './progress.ts';
import { Supervisor } from './supervisor.ts';
import { printReport, type FaultOutcome } from './report.ts';

export interface ChaosOptions {
  videos: number;
  kills: number;
  durationMs: number;
  seed: number;
  /** How long ClickHouse and the S3 server stay stopped (30 s; the CI test's short version: 10 s). */
  outageMs: number;
  /** Seconds of each generated video (at 1 fps in batches of 2). */
  videoSeconds: number;
  /** How long to wait for every video to finish after the fault window. */
  settleMs: number;
}

export interface ChaosResult {
  ok: boolean;
  verdicts: TableVerdict[];
  states: Record<string, number>;
  seconds: { calm: number; chaos: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const batchSize = 2;
/** Room the plan leaves for a broker restart (stop, start, healthy: 15-25 s on a busy 2-core machine; a longer one delays the next stack fault). */
const brokerRestartMs = 20_000;
/** A dead member holds its partitions until its session times out: short sessions keep each kill's stall short. */
const processorEnv = { FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS: '10000', FILMROOM_PROCESSOR_HEARTBEAT_MS: '1000', FILMROOM_LOG_LEVEL: 'warn' };

/** The two namespaces: topics, consumer groups, database and video ids of their own. */
function passConfig(base: NodeJS.ProcessEnv, runId: string, pass: 'calm' | 'chaos') {
  const env = {
    ...base,
    ...processorEnv,
    FILMROOM_TOPIC_PREFIX: `chaos-${runId}-${pass}.`,
    FILMROOM_CLICKHOUSE_DATABASE: `chaos_${runId}_${pass}`,
    // Several `filmroom run` processes: each serves /metrics on a free port.
    FILMROOM_METRICS_PORT: '0',
  };
  return { env, config: loadConfig(env), videoPrefix: `chaos-${runId}-${pass}-` };
}

/** Small game-like videos, each its own (a moving test pattern under a scoreboard with its number), uploaded once for both runs. */
async function uploadVideos(config: Config, runId: string, count: number, seconds: number): Promise<string[]> {
  const dir = join(config.home, 'chaos', runId);
  mkdirSync(dir, { recursive: true });
  const s3 = createS3Client(config.s3);
  try {
    const uris: string[] = [];
    for (let i = 0; i < count; i++) {
      const path = join(dir, `v${i}.mp4`);
      const text = `drawtext=fontfile=${sampleFont}:text='HOME ${10 + i} AWAY ${i % 7}':x=10:y=10:fontsize=28:fontcolor=white:box=1:boxcolor=black`;
      execFileSync('ffmpeg', [
        ...['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=10:duration=${seconds}`],
        ...['-vf', text, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path],
      ]);
      const location = { bucket: config.s3.buckets.uploads, key: `chaos/${runId}/v${i}.mp4` };
      await putObject(s3, location, readFileSync(path), 'video/mp4');
      uris.push(s3Uri(location));
    }
    return uris;
  } finally {
    s3.destroy();
  }
}

const videoIdOf = (videoPrefix: string, index: number) => `${videoPrefix}v${String(index).padStart(2, '0')}`;

/** Publishes the ingestions of the videos with these indexes; tried again every 2 s while the broker is away. */
async function ingest(config: Config, videoPrefix: string, sources: string[], indexes: number[]): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const kafka = createKafka(config.kafka, 'filmroom-chaos');
    try {
      const publisher = await createKafkaPublisher(kafka, new EventSerde(config.registry, config.topics), config.topics, { events: ['video-ingested'] });
      try {
        await publisher.publish(
          indexes.map((i) =>
            videoIngestedOf({
              videoId: videoIdOf(videoPrefix, i),
              sourceUri: sources[i]!,
              options: { sample_fps: 1, batch_size: batchSize },
              uploader: 'chaos',
              producer: { name: 'chaos', version: '0.1.0' },
              now: Date.now(),
            }),
          ),
        );
        return;
      } finally {
        await publisher.close().catch(() => {});
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(2000);
    }
  }
}

/** Job states of the run's videos, waited for until every one has ended and its tracks are projected too. */
async function waitUntilSettled(client: ClickHouse, videoPrefix: string, videos: number, batches: number, timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let states: Record<string, number> = {};
  for (;;) {
    try {
      const rows = (await (
        await client.query({
          query: `SELECT state, toString(count()) AS n,
                    (SELECT toString(count()) FROM tracked_batches FINAL WHERE startsWith(video_id, '${videoPrefix}')) AS tracked
                  FROM job_status WHERE startsWith(video_id, '${videoPrefix}') GROUP BY state`,
          format: 'JSONEachRow',
        })
      ).json()) as { state: string; n: string; tracked: string }[];
      states = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
      const ended = (states.complete ?? 0) + (states.failed ?? 0) + (states.partial ?? 0);
      if (ended === videos && (states.complete !== videos || Number(rows[0]?.tracked) >= batches)) return states;
    } catch {
      // ClickHouse may be coming back: ask again.
    }
    if (Date.now() > deadline) return states;
    await sleep(1000);
  }
}

/** Runs the calm pass and the chaos pass and compares them; prints as it goes and a report at the end. */
export async function runChaos(options: ChaosOptions, print: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<ChaosResult> {
  const log = createLogger('warn');
  const runId = randomUUID().slice(0, 8);
  const base = loadConfig(env);
  const plan = planFaults({ ...options, brokerRestartMs, minKillGapMs: 20_000 });
  print(`chaos: run ${runId}, seed ${options.seed} (repeat with --seed ${options.seed}); ${options.videos} videos of ${options.videoSeconds} s; plan:`);
  for (const fault of plan) print(`  ${describeFault(fault)}`);
  await stackUp(base, log);
  const sources = await uploadVideos(base, runId, options.videos, options.videoSeconds);
  const batches = options.videos * Math.ceil(options.videoSeconds / batchSize);
  const logDir = join(base.home, 'chaos', runId);
  const calm = passConfig(env, runId, 'calm');
  const chaos = passConfig(env, runId, 'chaos');
  const clients = {
    calm: createClickHouse(base.clickhouse, { database: calm.config.clickhouse.database }),
    chaos: createClickHouse(base.clickhouse, { database: chaos.config.clickhouse.database }),
  };
  const logFile = openSync(join(logDir, 'processes.log'), 'a');
  const supervisor = new Supervisor(chaos.env, logFile, print);
  let result: ChaosResult | undefined;
  try {
    // The calm run: every stage in one process, as `npm start` runs them.
    let started = Date.now();
    const calmProcess = await startFilmroomRun(['extract', 'detect', 'ocr', 'checks', 'track', 'projections'], calm.env, logFile);
    await ingest(
      calm.config,
      calm.videoPrefix,
      sources,
      sources.map((_, i) => i),
    );
    const calmStates = await waitUntilSettled(clients.calm, calm.videoPrefix, options.videos, batches, options.settleMs + options.durationMs);
    await calmProcess.stop();
    const calmSeconds = (Date.now() - started) / 1000;
    print(`chaos: calm run done in ${calmSeconds.toFixed(1)} s: ${JSON.stringify(calmStates)}`);

    // The chaos run: one process per kind, the plan carried out from the first ingest on.
    started = Date.now();
    await supervisor.startAll(processKinds);
    print(`chaos: ${processKinds.length} processes up in ${((Date.now() - started) / 1000).toFixed(1)} s; ingesting and starting the plan`);
    const monitor = new ProgressMonitor(createKafka(chaos.config.kafka, 'filmroom-chaos-progress'), clients.chaos, chaos.config.topics, chaos.videoPrefix);
    monitor.start();
    const t0 = Date.now();
    const ingesting = Promise.all(
      ingestTimes(options.videos, options.durationMs).map(async (atMs, i) => {
        await sleep(atMs);
        await ingest(chaos.config, chaos.videoPrefix, sources, [i]);
      }),
    );
    const outcomes = await carryOut(plan, t0, { supervisor, config: base, log, print });
    await ingesting;
    const states = await waitUntilSettled(clients.chaos, chaos.videoPrefix, options.videos, batches, options.settleMs);
    await monitor.stop();
    const chaosSeconds = (Date.now() - t0) / 1000;
    for (const outcome of outcomes) outcome.recovery = monitor.recoveryMs(outcome.signal, outcome.from);

    const verdicts: TableVerdict[] = [];
    for (const table of comparedTables) {
      const [a, b] = [
        await tableFigures(clients.calm, calm.config.clickhouse.database, table, calm.videoPrefix),
        await tableFigures(clients.chaos, chaos.config.clickhouse.database, table, chaos.videoPrefix),
      ];
      verdicts.push(verdictOf(table, a, b));
    }
    const ok = states.complete === options.videos && calmStates.complete === options.videos && verdicts.every((v) => v.equal);
    printReport(print, { outcomes, records: [...supervisor.records.values()], verdicts, states, calmStates, videos: options.videos });
    print(`chaos: calm run ${calmSeconds.toFixed(1)} s; chaos run ${chaosSeconds.toFixed(1)} s from the first ingest; logs in ${logDir}`);
    result = { ok, verdicts, states, seconds: { calm: calmSeconds, chaos: chaosSeconds } };
    return result;
  } finally {
    await supervisor.stopAll();
    closeSync(logFile);
    // Whatever the plan was doing when something failed, the stack is left up.
    await stackUp(base, log).catch(() => {});
    // A run that failed keeps its two databases for a look.
    if (result?.ok)
      for (const pass of [calm, chaos]) await clients.calm.command({ query: `DROP DATABASE IF EXISTS ${pass.config.clickhouse.database}` }).catch(() => {});
    else print(`chaos: kept the databases ${calm.config.clickhouse.database} and ${chaos.config.clickhouse.database} for a look`);
    await Promise.all([clients.calm.close(), clients.chaos.close()]);
  }
}

/**
 * Carries the plan out on time: each fault at its moment, kills at once even while another fault
 * is under way, the three stack faults one after the other. Returns what each fault's recovery is
 * measured on, and from when.
 */
async function carryOut(
  plan: Fault[],
  t0: number,
  ctx: { supervisor: Supervisor; config: Config; log: Logger; print: (line: string) => void },
): Promise<FaultOutcome[]> {
  let stackFaults: Promise<unknown> = Promise.resolve();
  const outcomes: FaultOutcome[] = [];
  const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
  await Promise.all(
    plan.map(async (fault) => {
      await sleep(Math.max(0, t0 + fault.atMs - Date.now()));
      if (fault.kind === 'kill') {
        const from = Date.now();
        ctx.print(`${stamp()}  kill -9 ${fault.process}`);
        const restartMs = await ctx.supervisor.kill(fault.process);
        ctx.print(`${stamp()}  ${fault.process} running again after ${(restartMs / 1000).toFixed(1)} s`);
        // The API makes no results: it has recovered once it serves again.
        outcomes.push({ fault, from, signal: fault.process, downMs: restartMs, ...(fault.process === 'api' ? { recovery: restartMs } : {}) });
        return;
      }
      const previous = stackFaults;
      let done!: () => void;
      stackFaults = new Promise<void>((resolve) => (done = resolve));
      await previous;
      try {
        const from = Date.now();
        const service = fault.kind === 'broker-restart' ? 'kafka' : fault.service;
        ctx.print(`${stamp()}  stopping ${service}`);
        await stopService(ctx.config, service);
        if (fault.kind === 'outage') await sleep(Math.max(0, from + fault.forMs - Date.now()));
        await stackUp(ctx.config, ctx.log);
        const back = Date.now();
        ctx.print(`${stamp()}  ${service} up again after ${((back - from) / 1000).toFixed(1)} s`);
        const signal: ProgressSignal = fault.kind === 'broker-restart' ? 'kafka' : fault.service === 'clickhouse' ? 'projections' : 'storage';
        outcomes.push({ fault, from: back, signal, downMs: back - from });
      } finally {
        done();
      }
    }),
  );
  return outcomes.sort((a, b) => a.fault.atMs - b.fault.atMs);
}
