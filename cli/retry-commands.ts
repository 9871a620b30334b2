import type { Command } from 'commander';
import { FilmroomError } from '../common/errors.ts';
import { sourceFingerprint } from '../processors/ingest/source-fingerprint.ts';
import { checkVideoId } from '../processors/ingest/video-ingested.ts';
import { retryFailedWork, retryLine, retryableStages, type RetryResult } from '../processors/retry/retry-failed-work.ts';
import type { FailedWork, ReadModel } from '../projections/read-model/port.ts';
import { createS3Client, s3ObjectStore } from '../storage/object-store.ts';
import type { EventPublisher } from '../streams/event-publisher.ts';
import { ExitCode, type CliContext } from './context.ts';
import { followStatus } from './follow.ts';
import { withCliPorts } from './ports.ts';

const stages: readonly string[] = retryableStages;
/** Failures a listing or an --all-failed retry reads at most. */
const maxFailures = 10_000;

function checkedStage(stage: string | undefined): string | undefined {
  if (stage !== undefined && !stages.includes(stage)) throw new FilmroomError('USAGE', `--stage takes one of ${stages.join(', ')} (got '${stage}')`);
  return stage;
}

export const failureLine = (f: FailedWork) =>
  `${f.occurred_at}  ${f.video_id}  run ${f.run_id || '-'}  ${f.stage}${f.batch_index === null ? '' : ` batch ${f.batch_index}`}  ${f.error_code}: ${f.message}`;

/** Retries one video's counted failures (of one stage, if given). */
async function retryOne(readModel: ReadModel, publisher: EventPublisher, fingerprint: (uri: string) => Promise<string>, videoId: string, stage?: string) {
  const ingestion = await readModel.currentIngestion(videoId);
  if (!ingestion) throw new FilmroomError('NOT_FOUND', `no video ${videoId}`);
  const failures = await readModel.failedWork({ videoId, ...(stage ? { stage } : {}), limit: maxFailures });
  return retryFailedWork({ publisher, fingerprint, now: Date.now }, ingestion, failures, { ...(stage ? { stage } : {}), requestedBy: 'cli' });
}

export function registerRetryCommands(program: Command, ctx: CliContext): void {
  program
    .command('failures')
    .description("List the failures that count: of each video's current run, whose work has not succeeded since (newest first)")
    .option('--video <id>', 'one video only')
    .option('--stage <stage>', `one stage only: ${stages.join(', ')}`)
    .option('--since <time>', 'only failures at or after this time (ISO 8601, UTC)')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (options: { video?: string; stage?: string; since?: string; limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > maxFailures)
        throw new FilmroomError('USAGE', `--limit takes 1 to ${maxFailures} (got '${options.limit}')`);
      if (options.since !== undefined && Number.isNaN(Date.parse(options.since)))
        throw new FilmroomError('USAGE', `--since takes an ISO 8601 time (got '${options.since}')`);
      if (options.video !== undefined) checkVideoId(options.video);
      const stage = checkedStage(options.stage);
      await withCliPorts(ctx.config(), 'filmroom-failures', async ({ readModel }) => {
        const found = await readModel.failedWork({
          ...(options.video ? { videoId: options.video } : {}),
          ...(stage ? { stage } : {}),
          ...(options.since ? { since: new Date(options.since).toISOString().replace('T', ' ').slice(0, 19) } : {}),
          limit,
        });
        for (const failure of found) ctx.print(failureLine(failure));
        ctx.print(`${found.length} failure(s)${found.length === limit ? ` (the first ${limit}: --limit shows more)` : ''}`);
      });
    });

  program
    .command('retry')
    .argument('[video-id]', 'the video whose failed work to retry')
    .description(
      'Retry failed work by emitting events: a failed extraction retries the whole video as a new run (superseding the failed one), failed batches of later stages get their input sent again. Exit 1 when nothing was retried',
    )
    .option('--all-failed', 'every video with failures that count', false)
    .option('--stage <stage>', `only failures of this stage: ${stages.join(', ')}`)
    .option('--wait', 'wait for the retried job to end (one video); exit 1 unless it completes', false)
    .action(async (videoId: string | undefined, options: { allFailed: boolean; stage?: string; wait: boolean }) => {
      if ((videoId === undefined) === !options.allFailed) throw new FilmroomError('USAGE', 'retry takes a VIDEO_ID or --all-failed (one of them)');
      if (options.wait && options.allFailed) throw new FilmroomError('USAGE', '--wait follows one video: follow others with filmroom status <video-id>');
      if (videoId !== undefined) checkVideoId(videoId);
      const stage = checkedStage(options.stage);
      const config = ctx.config();
      const s3 = createS3Client(config.s3);
      const objectStore = s3ObjectStore(s3);
      try {
        await withCliPorts(config, 'filmroom-retry', async (ports) => {
          const publisher = await ports.publisher(['video-ingested', 'retry-requested']);
          const fingerprint = (uri: string) => sourceFingerprint(objectStore, uri);
          const ids =
            videoId !== undefined
              ? [videoId]
              : [...new Set((await ports.readModel.failedWork({ ...(stage ? { stage } : {}), limit: maxFailures })).map((f) => f.video_id))];
          const results: RetryResult[] = [];
          for (const id of ids) {
            const result = await retryOne(ports.readModel, publisher, fingerprint, id, stage);
            ctx.print(retryLine(result));
            results.push(result);
          }
          if (ids.length === 0) ctx.print('nothing to retry: no failure counts');
          const first = results[0];
          if (options.wait && first && first.mode !== 'nothing')
            await followStatus(ctx, ports.readModel, first.videoId, first.runId, { retriedBatches: first.mode === 'batches' });
          if (results.every((r) => r.mode === 'nothing')) throw new ExitCode(1);
        });
      } finally {
        s3.destroy();
      }
    });
}
