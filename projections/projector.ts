import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../common/config.ts';
import { FilmroomError, describeError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { checkVersions } from '../processors/checks/check-versions.ts';
import type { AnyEventName } from '../schemas/index.ts';
import { runBatchConsumer, type RunningBatchConsumer } from '../streams/batch-consumer.ts';
import type { ClickHouse } from './clickhouse-client.ts';
import { ProjectionDeadLetters } from './dead-letters.ts';
import { JsonLines } from './json-lines.ts';
import { rowsOf, type DecodedEvent } from './rows.ts';
import { noteChange, type ChangedVideos } from './stored-read-rows.ts';
import { ProjectionWriter } from './writer/index.ts';

/** Each table family is projected by its own consumer group, so one can be rebuilt alone. */
export const projectionFamilies = {
  videos: { events: ['video-ingested'], tables: ['videos', 'runs'] },
  batches: { events: ['batch-extracted'], tables: ['batches', 'extracted_videos'] },
  detections: { events: ['batch-detected'], tables: ['detected_batches', 'detections', 'faces'] },
  ocr: { events: ['ocr-done'], tables: ['ocr_batches', 'ocr_texts'] },
  tracks: { events: ['batch-tracked'], tables: ['tracked_batches', 'tracklets', 'track_points'] },
  scenes: { events: ['batch-scene-scored'], tables: ['scene_batches', 'scene_scores'] },
  transforms: { events: ['batch-transformed', 'video-transformed'], tables: ['transformed_batches', 'transformed_videos'] },
  checks: { events: ['check-result'], tables: ['check_results'] },
  failures: { events: ['processing-failed'], tables: ['failures'] },
  retries: { events: ['retry-requested'], tables: ['retries'] },
  retrying: { events: ['work-retrying'], tables: ['retrying_work'] },
  replays: { events: ['replay-requested', 'replay-completed'], tables: ['replays', 'replay_completions'] },
  plays: { events: ['plays-imported'], tables: ['plays'] },
  clips: { events: ['clips-requested', 'clip-extracted'], tables: ['clips'] },
  datasets: { events: ['dataset-exported'], tables: ['datasets'] },
  renders: { events: ['render-done'], tables: ['renders'] },
} as const satisfies Record<string, { events: AnyEventName[]; tables: string[] }>;

export type ProjectionFamily = keyof typeof projectionFamilies;
export const familyNames = Object.keys(projectionFamilies) as ProjectionFamily[];

export const projectorGroup = (family: ProjectionFamily, prefix: string) => `${prefix}filmroom.projector.${family}`;

/**
 * Encodes each record's rows as it comes, one JSONEachRow body per table (see `JsonLines`); notes
 * in `changed` the videos whose stored read rows (job status, manifests) the rows change (see stored-read-rows.ts).
 */
export function encodeRows(records: Iterable<DecodedEvent>, changed?: ChangedVideos): Map<string, JsonLines> {
  const byTable = new Map<string, JsonLines>();
  for (const record of records) {
    for (const { table, row } of rowsOf(record.event, record.value)) {
      if (changed && typeof row.video_id === 'string') noteChange(changed, table, row.video_id);
      let lines = byTable.get(table);
      if (!lines) byTable.set(table, (lines = new JsonLines()));
      lines.append(row);
    }
  }
  return byTable;
}

/**
 * Tables whose row says a batch's work is done (what job status and readers waiting for a stage
 * count): inserted after the tables holding that work's details, so whoever sees a batch done also
 * sees its detections, texts, tracklets or scores.
 */
const doneMarkers: ReadonlySet<string> = new Set(['batches', 'detected_batches', 'ocr_batches', 'tracked_batches', 'scene_batches']);

/**
 * Inserts encoded rows table by table, done markers last; resolves with the rows per table once
 * ClickHouse acknowledged them all. Any failure is transient: the batch is retried.
 */
export async function insertEncoded(client: ClickHouse, byTable: Map<string, JsonLines>): Promise<Record<string, number>> {
  const written: Record<string, number> = {};
  const ordered = [...byTable].sort(([a], [b]) => Number(doneMarkers.has(a)) - Number(doneMarkers.has(b)));
  for (const [table, lines] of ordered) {
    try {
      await client.insertJsonLines(table, lines.body());
    } catch (error) {
      throw new FilmroomError('SERVICE_UNAVAILABLE', `clickhouse: inserting ${lines.rows} rows into ${table} failed: ${describeError(error)}`, {
        cause: error,
      });
    }
    written[table] = lines.rows;
  }
  return written;
}

/** The check versions' video-level cut-offs, as rows of `check_versions` (which the manifests view joins). */
export function checkVersionRows(): Record<string, unknown>[] {
  return Object.values(checkVersions).map((v) => ({
    check_version: v.version,
    description: v.description,
    enabled_checks: [...v.enabled],
    mostly_dark_ratio: v.manifest.mostlyDarkRatio,
    dpi_scale_issue_ratio: v.manifest.dpiScaleIssueRatio,
    mostly_menu_ratio: v.manifest.mostlyMenuRatio,
    version: 1,
  }));
}

/** Writes the check versions' rows; run at start, after the migrations. */
export async function writeCheckVersions(client: ClickHouseClient): Promise<void> {
  await client.insert({ table: 'check_versions', format: 'JSONEachRow', values: checkVersionRows() });
}

export interface ProjectorDeps {
  config: Pick<Config, 'kafka' | 'topics' | 'processor' | 'retry' | 'projection' | 'registry' | 'clickhouse'>;
  log: Logger;
}

/**
 * Runs the projectors of the given families: consume, gather the records of all partitions into
 * inserts of up to FILMROOM_PROJECTION_BATCH_ROWS rows, decode them, build rows and insert them in
 * writer threads (FILMROOM_PROJECTION_WRITER_THREADS, inserts overlapping), and commit offsets in
 * order, each only after ClickHouse acknowledged its insert and every earlier one. While ClickHouse
 * is down, inserts are retried with backoff and nothing is committed. The families share the threads.
 */
export async function runProjectors(
  deps: ProjectorDeps,
  families: ProjectionFamily[] = familyNames,
  options: { groupSuffix?: string } = {},
): Promise<RunningBatchConsumer[]> {
  const writer = new ProjectionWriter(deps.config, deps.config.projection.writerThreads);
  await writer.start();
  const deadLetters = await ProjectionDeadLetters.start(deps.config, deps.log);
  const running: RunningBatchConsumer[] = [];
  let open = families.length;
  for (const family of families) {
    const groupId = projectorGroup(family, deps.config.topics.prefix) + (options.groupSuffix ?? '');
    const log = deps.log.child({ projector: family });
    const consumer = await runBatchConsumer(
      {
        groupId,
        events: [...projectionFamilies[family].events],
        limits: { maxRecords: deps.config.projection.batchRows, lingerMs: deps.config.projection.lingerMs, inFlight: deps.config.projection.writerThreads },
        sink: async (records) => {
          const { undecodable } = await writer.write(records);
          await deadLetters.send(family, records, undecodable);
        },
      },
      { config: deps.config, log },
    );
    // The writer threads and the dead-letter producer go when the last of these projectors stops.
    running.push({
      ...consumer,
      stop: async () => {
        await consumer.stop();
        if (--open === 0) await Promise.all([writer.close(), deadLetters.close()]);
      },
    });
  }
  return running;
}
