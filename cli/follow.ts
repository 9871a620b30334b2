import cliProgress from 'cli-progress';
import { FilmroomError } from '../common/errors.ts';
import { terminalStates } from '../projections/read-model/job-status.ts';
import type { JobStatusRow, ReadModel } from '../projections/read-model/port.ts';
import { ExitCode, type CliContext } from './context.ts';

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** How long a retried job may still show its old end before that end is taken as the retry's (its retry-requested never projected). */
const oldEndMs = 120_000;

/** One line per job: state, overall %, each phase's "done/total", ETA, failures. */
export function statusLine(row: JobStatusRow): string {
  const phases = [row.extraction_progress, row.detection_progress, row.ocr_progress, row.checks_progress, row.render_progress, row.transform_progress]
    .filter(Boolean)
    .join(', ');
  const eta = Number(row.eta_seconds) > 0 ? `, ETA ${row.eta_seconds} s` : '';
  return `${row.video_id}: ${row.state} ${row.progress_percent}% (${phases}${eta})${Number(row.failures) > 0 ? `; ${row.failures} failure(s), last: ${row.last_error}` : ''}`;
}

const phases = [
  { name: 'Extraction', stage: 'EXTRACT', column: 'batches_extracted' },
  { name: 'Detection ', stage: 'DETECT', column: 'batches_detected' },
  { name: 'OCR       ', stage: 'OCR', column: 'batches_ocr_done' },
  { name: 'Checks    ', stage: 'CHECKS', column: 'batches_checked' },
  { name: 'Render    ', stage: 'RENDER', column: 'batches_rendered' },
  { name: 'Transform ', stage: 'TRANSFORM', column: 'batches_transformed' },
] as const;

/**
 * Follows a job in job_status until it ends, with one progress bar per phase the video runs.
 * Returns the final row; the caller decides what a non-complete end means.
 */
export async function followJob(
  readModel: ReadModel,
  videoId: string,
  options: {
    quiet?: boolean;
    notStartedAfterMs?: number;
    print: (line: string) => void;
    runId?: string;
    /**
     * Failed batches were just sent again in the same run: until the job is seen in flight, its
     * failed or partially_failed end is the one before the retry. `complete` is the retry's (the
     * job had failures before it).
     */
    retriedBatches?: boolean;
  },
): Promise<JobStatusRow> {
  const bars = new cliProgress.MultiBar(
    { format: ' {phase} [{bar}] {value}/{total} batches', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  );
  const phaseBars = new Map<string, cliProgress.SingleBar>();
  const waitingSince = Date.now();
  let seenInFlight = false;
  try {
    for (;;) {
      const found = await readModel.jobStatus(videoId);
      // A run just ingested is followed, not the one it supersedes (until its video-ingested is projected, the old one shows).
      const row = options.runId === undefined || found?.run_id === options.runId ? found : undefined;
      if (!row) {
        if (Date.now() - waitingSince > (options.notStartedAfterMs ?? 60_000)) {
          throw new FilmroomError(
            'SERVICE_UNAVAILABLE',
            `no job status for ${videoId}${options.runId ? ` run ${options.runId}` : ''} after 60 s: is \`filmroom run\` (with projections) running?`,
            {
              retriable: false,
            },
          );
        }
      } else {
        if (!options.quiet && row.batches_total > 0) {
          const counts = await readModel.jobPhases(videoId);
          // The transform is asked for by name, not among the stages.
          for (const phase of counts ? phases.filter((p) => (p.stage === 'TRANSFORM' ? counts.transform !== '' : counts.stages.includes(p.stage))) : []) {
            const done = counts![phase.column];
            const total = counts!.batches_total;
            const bar = phaseBars.get(phase.name);
            if (bar) bar.update(done);
            else phaseBars.set(phase.name, bars.create(total, done, { phase: phase.name }));
          }
        }
        if (!terminalStates.has(row.state)) seenInFlight = true;
        else if (!options.retriedBatches || seenInFlight || row.state === 'complete' || Date.now() - waitingSince > oldEndMs) return row;
      }
      await sleep(1000);
    }
  } finally {
    bars.stop();
  }
}

/** Follows a job with per-phase progress until it ends, then prints its line; exit code 0 only for `complete`. */
export async function followStatus(
  ctx: CliContext,
  readModel: ReadModel,
  videoId: string,
  runId?: string,
  options: { retriedBatches?: boolean } = {},
): Promise<void> {
  const row = await followJob(readModel, videoId, { print: ctx.print, ...options, ...(runId !== undefined ? { runId } : {}) });
  ctx.print(statusLine(row));
  if (row.state !== 'complete') throw new ExitCode(1);
}
