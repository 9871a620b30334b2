import { Command, CommanderError, Option } from 'commander';
import { loadConfig, type Config } from '../common/config.ts';
import { describeError, FilmroomError } from '../common/errors.ts';
import { createLogger } from '../common/logger.ts';
import { registerClipCommands } from './clip-commands.ts';
import { registerRetryCommands } from './retry-commands.ts';
import { registerDeleteCommand } from './delete-command.ts';
import { ExitCode, exitCodes, type CliContext } from './context.ts';
import { registerManifestCommand } from './manifest-command.ts';
import { registerExportCommand } from './export-command.ts';
import { registerPipelineCommands } from './pipeline-commands.ts';
import { registerProjectionCommands } from './projection-commands.ts';
import { registerStackCommands } from './stack-commands.ts';
import { benchNames, type BenchName } from '../bench/names.ts';
import { registerTransformsCommand } from './transforms-command.ts';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('filmroom')
    .description('Event-sourced video processing on Apache Kafka: frames, detections, OCR and quality manifests in ClickHouse.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  registerStackCommands(program, ctx);
  registerProjectionCommands(program, ctx);
  registerPipelineCommands(program, ctx);
  registerDeleteCommand(program, ctx);
  registerRetryCommands(program, ctx);

  program
    .command('start')
    .description('The main job: bring the local stack up, process the bundled sample, print its manifest, then serve the API until Ctrl-C')
    .option('--once', 'exit after printing the manifest (for scripts and CI)', false)
    .action(async (options: { once: boolean }) => {
      const { startMainJob } = await import('./start.ts');
      await startMainJob(ctx, { once: options.once });
    });

  program
    .command('sample')
    .description('Generate the bundled sample game video (play, dark, letterbox, menu and frozen segments) with ffmpeg')
    .option('--out <path>', 'where to write it (default: $FILMROOM_HOME/samples/sample-game.mp4)')
    .option('--force', 'regenerate even if it exists', false)
    .action(async (options: { out?: string; force: boolean }) => {
      const { ensureSample, sampleTimeline } = await import('../samples/index.ts');
      const result = await ensureSample(ctx.config(), { force: options.force, ...(options.out ? { path: options.out } : {}) });
      ctx.print(`${result.generated ? 'generated' : 'already there'}: ${result.path}`);
      for (const s of sampleTimeline) ctx.print(`  ${String(s.startS).padStart(3)}-${String(s.endS).padEnd(3)} s  ${s.kind}`);
    });

  registerManifestCommand(program, ctx);
  registerExportCommand(program, ctx);
  registerClipCommands(program, ctx);
  registerTransformsCommand(program, ctx);

  program
    .command('bench')
    .description(
      'Run the benchmarks against the local stack and print tables: each filmroom path next to its bare baseline (Kafka perf tools, bare inserts, bare ffmpeg, bare onnxruntime)',
    )
    .option('--records <n>', 'records per runtime measurement (the Java baselines need a few 100,000 to warm up)', '200000')
    .option('--record-size <bytes>', 'payload bytes per record', '1024')
    .option('--only <which>', `run only one benchmark: ${benchNames.join(', ')}`)
    .option('--e2e-videos <n>', 'generated 720p videos in the end-to-end benchmark', '6')
    .option('--e2e-seconds <n>', 'length of each end-to-end video', '60')
    .option('--clips <n>', 'cuts in the clip benchmark', '20')
    .option('--clip-minutes <n>', 'length of the generated 720p video for the clip benchmark', '5')
    .option('--projection-events <n>', 'events for the projection benchmark (fewer mostly measure the group join and first fetch)', '300000')
    .option('--extract-minutes <n>', 'length of the generated 1080p video for the extraction benchmark', '30')
    .option('--extract-fps <n>', 'sampling rate of the extraction benchmark', '1')
    .option('--segment-minutes <n>', 'length of the generated 720p video for the extract-segments benchmark', '10')
    .option('--segment-seconds <n>', 'segment length in the extract-segments benchmark', '60')
    .option(
      '--clients',
      'runtime benchmark: add the echo on each Kafka client (kafkajs, @platformatic/kafka, and @confluentinc/kafka-javascript if bench/runtime-clients/install.sh built it)',
    )
    .action(
      async (options: {
        records: string;
        recordSize: string;
        only?: string;
        extractMinutes: string;
        extractFps: string;
        segmentMinutes: string;
        segmentSeconds: string;
        projectionEvents: string;
        clips: string;
        clipMinutes: string;
        e2eVideos: string;
        e2eSeconds: string;
        clients?: boolean;
      }) => {
        const records = Number(options.records);
        const recordSize = Number(options.recordSize);
        if (!Number.isInteger(records) || records < 1 || !Number.isInteger(recordSize) || recordSize < 1) {
          throw new FilmroomError('USAGE', '--records and --record-size must be positive integers');
        }
        if (options.only !== undefined && !(benchNames as readonly string[]).includes(options.only)) {
          throw new FilmroomError('USAGE', `--only must be one of ${benchNames.join(', ')}`);
        }
        const e2eVideos = Number(options.e2eVideos);
        const e2eSeconds = Number(options.e2eSeconds);
        if (!Number.isInteger(e2eVideos) || e2eVideos < 1 || !(e2eSeconds >= 5)) {
          throw new FilmroomError('USAGE', '--e2e-videos must be a positive integer and --e2e-seconds at least 5');
        }
        const clips = Number(options.clips);
        const clipMinutes = Number(options.clipMinutes);
        if (!Number.isInteger(clips) || clips < 1 || !(clipMinutes >= 1))
          throw new FilmroomError('USAGE', '--clips must be a positive integer and --clip-minutes at least 1');
        const projectionEvents = Number(options.projectionEvents);
        if (!Number.isInteger(projectionEvents) || projectionEvents < 1) throw new FilmroomError('USAGE', '--projection-events must be a positive integer');
        const extractMinutes = Number(options.extractMinutes);
        const extractFps = Number(options.extractFps);
        if (!(extractMinutes > 0) || !(extractFps > 0)) throw new FilmroomError('USAGE', '--extract-minutes and --extract-fps must be positive numbers');
        const segmentMinutes = Number(options.segmentMinutes);
        const segmentSeconds = Number(options.segmentSeconds);
        if (!(segmentMinutes >= 1) || !Number.isInteger(segmentSeconds) || segmentSeconds < 1)
          throw new FilmroomError('USAGE', '--segment-minutes must be at least 1 and --segment-seconds a positive integer');
        const { runBenchmarks } = await import('../bench/index.ts');
        const missed = await runBenchmarks(
          {
            records,
            recordSize,
            extractMinutes,
            extractFps,
            projectionEvents,
            clips,
            clipMinutes,
            e2eVideos,
            e2eSeconds,
            segmentMinutes,
            segmentSeconds,
            ...(options.clients ? { clients: true } : {}),
            ...(options.only ? { only: options.only as BenchName } : {}),
          },
          ctx.print,
        );
        if (missed.length > 0) {
          ctx.print(`\nbench: goals missed:\n${missed.map((goal) => `  FAIL ${goal}`).join('\n')}`);
          throw new ExitCode(exitCodes.failed);
        }
      },
    );

  program
    .command('chaos')
    .description(
      'Process the same videos calm and then while processes are killed (kill -9) and restarted, the broker restarted and ClickHouse and the S3 server stopped for a while; every video must complete with results checksum-equal to the calm run (local stack, loopback only)',
    )
    .option('--videos <n>', 'generated videos, the same in both runs', '20')
    .option('--kills <n>', 'kill -9s of filmroom processes in the fault window', '16')
    .option('--duration <seconds>', 'the fault window from the first ingest (then the run waits for the videos to finish)', '300')
    .option('--seed <n>', 'the seed of the fault plan (default: a random one, printed)')
    .option('--outage <seconds>', 'how long ClickHouse and the S3 server each stay stopped', '30')
    .action(async (options: { videos: string; kills: string; duration: string; seed?: string; outage: string }) => {
      const [videos, kills, duration, outage] = [options.videos, options.kills, options.duration, options.outage].map(Number) as [
        number,
        number,
        number,
        number,
      ];
      const seed = options.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(options.seed);
      if (![videos, kills, seed].every((n) => Number.isInteger(n) && n >= 0) || videos < 1 || !(duration > 0) || !(outage > 0))
        throw new FilmroomError(
          'USAGE',
          '--videos must be a positive integer, --kills and --seed integers ≥ 0, --duration and --outage positive numbers of seconds',
        );
      const { runChaos } = await import('../bench/chaos/run.ts');
      const result = await runChaos(
        { videos, kills, seed, durationMs: duration * 1000, outageMs: outage * 1000, videoSeconds: 6, settleMs: 600_000 },
        ctx.print,
      );
      if (!result.ok) {
        ctx.print('\nchaos: FAIL: a video did not complete, or its results differ from the calm run (see above)');
        throw new ExitCode(exitCodes.failed);
      }
      ctx.print('\nchaos: every video complete, results equal to the calm run: 0 lost, 0 duplicated');
    });

  program.addOption(new Option('--log-level <level>', 'override FILMROOM_LOG_LEVEL').hideHelp());
  return program;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: Config | undefined;
  let logger: ReturnType<typeof createLogger> | undefined;
  const ctx: CliContext = {
    config: () => (config ??= loadConfig(env)),
    // Commands print their own lines; their JSON logs stay at warn unless FILMROOM_LOG_LEVEL asks for more.
    log: () => (logger ??= createLogger(env.FILMROOM_LOG_LEVEL ? ctx.config().logLevel : 'warn')),
    print: (line) => process.stdout.write(`${line}\n`),
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof ExitCode) return error.code;
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    process.stderr.write(`filmroom: ${describeError(error)}\n`);
    if (error instanceof FilmroomError && ['USAGE', 'VALIDATION_FAILED', 'UNPROCESSABLE', 'CONFIG_INVALID'].includes(error.code)) return exitCodes.usage;
    return exitCodes.failed;
  }
}
