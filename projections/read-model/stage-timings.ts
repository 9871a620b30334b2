import { param, type ClickHouse } from '../clickhouse-client.ts';
import { viewSelect } from '../views.ts';

/** A stage's timing in a video's run, as projections/views/stage_timings.sql derives it (read that file for what each column means). */
export interface StageTimingRow {
  stage: string;
  started_ms: number | string;
  /** 0 while the stage still has batches to do. */
  finished_ms: number | string;
  seconds: number;
  batches_done: number | string;
  batches_total: number | string;
  attempts: number | string;
}

/** A stage timing as the API and the CLI show it: times as ISO strings (finished null while it runs). */
export interface PresentedStageTiming {
  stage: string;
  started_at: string | null;
  finished_at: string | null;
  seconds: number;
  batches_done: number;
  batches_total: number;
  attempts: number;
}

/** Pipeline order: where each stage's input comes from. */
export const timedStages = ['extract', 'detect', 'ocr', 'track', 'checks', 'scenes', 'transform'] as const;

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

export function presentStageTimings(rows: readonly StageTimingRow[]): PresentedStageTiming[] {
  const order = (stage: string) => (timedStages as readonly string[]).indexOf(stage) >>> 0;
  return [...rows]
    .sort((a, b) => order(a.stage) - order(b.stage) || a.stage.localeCompare(b.stage))
    .map((r) => ({
      stage: r.stage,
      started_at: iso(Number(r.started_ms)),
      finished_at: iso(Number(r.finished_ms)),
      seconds: Math.round(Number(r.seconds) * 1000) / 1000,
      batches_done: Number(r.batches_done),
      batches_total: Number(r.batches_total),
      attempts: Number(r.attempts),
    }));
}

/** One line per stage for `filmroom status`: `detect     12.3 s  3/3 batches, 1 attempt`. */
export function stageTimingLines(timings: readonly PresentedStageTiming[]): string[] {
  return timings.map(
    (t) =>
      `  ${t.stage.padEnd(8)} ${t.seconds.toFixed(1).padStart(8)} s${t.finished_at ? '' : ' so far'}  ${t.batches_done}/${t.batches_total} batches, ` +
      `${t.attempts} attempt${t.attempts === 1 ? '' : 's'}`,
  );
}

/** The stage timings of a video's current run (the run `videos` holds). */
export const stageTimings = (client: ClickHouse, videoId: string) =>
  client.select<StageTimingRow>(
    `SELECT stage, started_ms, finished_ms, seconds, batches_done, batches_total, attempts
     FROM (${viewSelect('stage_timings', `video_id = ${param('video_id')}`)})
     WHERE run_id = (SELECT any(run_id) FROM videos FINAL WHERE video_id = ${param('video_id')})`,
    { video_id: videoId },
  );
