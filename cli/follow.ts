import cliProgress from 'cli-progress';
import { FilmroomError } from '../common/errors.ts';
import { param, type ClickHouse } from '../projections/clickhouse-client.ts';
import { jobStatus, terminalStates, type JobStatusRow } from '../projections/queries.ts';

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** One line per job: state, overall %, each phase's "done/total", ETA, failures. */
export function statusLine(row: JobStatusRow): string {
  const phases = [row.extraction_progress, row.detection_progress, row.ocr_progress, row.checks_progress].filter(Boolean).join(', ');
  const eta = Number(row.eta_seconds) > 0 ? `, ETA ${row.eta_seconds} s` : '';
  return `${row.video_id}: ${row.state} ${row.progress_percent}% (${phases}${eta})${Number(row.failures) > 0 ? `; ${row.failures} failure(s), last: ${row.last_error}` : ''}`;
}

interface PhaseCounts {
  stages: string[];
  batches_total: number;
  batches_extracted: number;
  batches_detected: number;
  batches_ocr_done: number;
  batches_checked: number;
}

const phases = [
  { name: 'Extraction', stage: 'EXTRACT', column: 'batches_extracted' },
  { name: 'Detection ', stage: 'DETECT', column: 'batches_detected' },
  { name: 'OCR       ', stage: 'OCR', column: 'batches_ocr_done' },
  { name: 'Checks    ', stage: 'CHECKS', column: 'batches_checked' },
] as const;

/**
 * Follows a job in job_status until it ends, with one progress bar per phase the video runs.
 * Returns the final row; the caller decides what a non-complete end means.
 */
export async function followJob(
  clickhouse: ClickHouse,
  videoId: string,
  options: { quiet?: boolean; notStartedAfterMs?: number; print: (line: string) => void },
): Promise<JobStatusRow> {
  const bars = new cliProgress.MultiBar(
    { format: ' {phase} [{bar}] {value}/{total} batches', hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  );
  const phaseBars = new Map<string, cliProgress.SingleBar>();
  const waitingSince = Date.now();
  try {
    for (;;) {
      const row = await jobStatus(clickhouse, videoId);
      if (!row) {
        if (Date.now() - waitingSince > (options.notStartedAfterMs ?? 60_000)) {
          throw new FilmroomError('SERVICE_UNAVAILABLE', `no job status for ${videoId} after 60 s: is \`filmroom run\` (with projections) running?`, {
            retriable: false,
          });
        }
      } else {
        if (!options.quiet && row.batches_total > 0) {
          const counts = (
            await clickhouse.select<PhaseCounts>(
              `SELECT stages, batches_total, batches_extracted, batches_detected, batches_ocr_done, batches_checked FROM job_status WHERE video_id = ${param('video_id')}`,
              { video_id: videoId },
            )
          )[0];
          for (const phase of counts ? phases.filter((p) => counts.stages.includes(p.stage)) : []) {
            const done = Number(counts![phase.column]);
            const total = Number(counts!.batches_total);
            const bar = phaseBars.get(phase.name);
            if (bar) bar.update(done);
            else phaseBars.set(phase.name, bars.create(total, done, { phase: phase.name }));
          }
        }
        if (terminalStates.has(row.state)) return row;
      }
      await sleep(1000);
    }
  } finally {
    bars.stop();
  }
}
