import type { Config } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { VideoPurged } from '../schemas/index.ts';
import { runBatchConsumer, type RunningBatchConsumer } from '../streams/batch-consumer.ts';
import { EventSerde } from '../streams/serde.ts';
import { createClickHouse, type ClickHouse } from './clickhouse-client.ts';
import { refreshEveryRead, storedReadRows } from './stored-read-rows.ts';
import { dateTime } from './rows-helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a deletion removes: a video's rows from events that occurred up to the request, to the millisecond. */
export interface RowDeletion {
  videoId: string;
  /** Milliseconds since the epoch. */
  requestedAt: number;
}

// The id is checked at the edge (checkVideoId: letters, digits, . _ -); quoting again costs nothing.
const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/**
 * Rows carry their event's time twice: `occurred_at` in seconds and `version` in milliseconds (clips'
 * version is ms × 2, + 1 once extracted, so an extraction outranks its request). The milliseconds
 * decide, so a video ingested again in the second of its deletion keeps its new rows.
 */
const millisecondsPerVersion: Record<string, number> = { clips: 2 };
const condition = (table: string, { videoId, requestedAt }: RowDeletion) =>
  `video_id = ${literal(videoId)} AND intDiv(version, ${millisecondsPerVersion[table] ?? 1}) <= ${Math.floor(requestedAt)}`;

/**
 * The tables that hold rows of videos: every MergeTree table of the database with `video_id` and
 * `version` columns, found rather than listed, so a table added by a later migration is covered.
 */
export async function videoTables(client: ClickHouse): Promise<string[]> {
  const rows = await client.select<{ table: string }>(
    `SELECT table FROM system.columns
     WHERE database = currentDatabase() AND name IN ('video_id', 'version') AND table != 'deletions'
       AND table IN (SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree%')
     GROUP BY table HAVING count() = 2 ORDER BY table`,
  );
  return rows.map((r) => r.table);
}

/** Waits for this database's mutations to finish: ClickHouse 18.16 has no synchronous ALTER … DELETE. */
async function mutationsDone(client: ClickHouse, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [pending] = await client.select<{ n: string }>(
      `SELECT toString(count()) AS n FROM system.mutations WHERE database = currentDatabase() AND is_done = 0`,
    );
    if (pending?.n === '0') return;
    if (Date.now() > deadline)
      throw new FilmroomError('SERVICE_UNAVAILABLE', `clickhouse: ${pending?.n} row deletion mutation(s) still running after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/**
 * Removes a video's rows from every video table; returns the rows removed per table (as queries saw
 * them). The stored read rows (job_status_latest, manifests_latest) are derived from those rows, not
 * from events: they are removed whole, then recomputed from what is left (a re-ingest after the
 * deletion keeps its status and manifest).
 */
export async function deleteVideoRows(client: ClickHouse, deletion: RowDeletion, tables?: string[]): Promise<Map<string, number>> {
  const removed = new Map<string, number>();
  const remove = async (table: string, where: string) => {
    const [row] = await client.select<{ n: string }>(`SELECT toString(count()) AS n FROM ${table} FINAL WHERE ${where}`);
    const count = Number(row?.n ?? 0);
    if (count === 0) return;
    await client.command({ query: `ALTER TABLE ${table} DELETE WHERE ${where}` });
    removed.set(table, count);
  };
  for (const table of tables ?? (await videoTables(client))) await remove(table, condition(table, deletion));
  if (removed.size === 0) return removed;
  for (const stored of storedReadRows) await remove(stored.table, `video_id = ${literal(deletion.videoId)}`);
  await mutationsDone(client, 120_000);
  await refreshEveryRead(client, [deletion.videoId]);
  return removed;
}

/** After a rebuild replayed the topics, every recorded deletion is applied again: a deleted video stays deleted. */
export async function reapplyDeletions(client: ClickHouse): Promise<number> {
  const deletions = await client.select<{ video_id: string; requested_at_ms: string }>(
    `SELECT video_id, toString(requested_at_ms) AS requested_at_ms FROM deletions FINAL ORDER BY requested_at_ms`,
  );
  const tables = await videoTables(client);
  let rows = 0;
  for (const d of deletions) {
    for (const n of (await deleteVideoRows(client, { videoId: d.video_id, requestedAt: Number(d.requested_at_ms) }, tables)).values()) rows += n;
  }
  return rows;
}

export function deletionRow(purged: VideoPurged, rowsRemoved: Map<string, number>, now: number): Record<string, unknown> {
  const buckets = Object.keys(purged.objects_removed).sort();
  const tables = [...rowsRemoved.keys()].sort();
  return {
    video_id: purged.video_id,
    deleted_event_id: purged.deleted_event_id,
    requested_at: dateTime(purged.requested_at),
    requested_at_ms: purged.requested_at,
    requested_by: purged.requested_by,
    object_buckets: buckets,
    object_counts: buckets.map((b) => purged.objects_removed[b]!),
    objects_removed: buckets.reduce((sum, b) => sum + purged.objects_removed[b]!, 0),
    row_tables: tables,
    row_counts: tables.map((t) => rowsRemoved.get(t)!),
    rows_removed: tables.reduce((sum, t) => sum + rowsRemoved.get(t)!, 0),
    purged_at: dateTime(now),
    version: now,
  };
}

export const purgerGroup = (prefix: string) => `${prefix}filmroom.projector.purge`;

/**
 * The purger: on each video-purged (the objects are gone), removes the video's rows and records the
 * deletion in `deletions`. Its own consumer group, one record at a time: deletions are rare, and
 * each waits for its mutations. A redelivered event removes nothing more and rewrites its record.
 */
export async function runVideoPurger(deps: { config: Config; log: Logger }): Promise<RunningBatchConsumer> {
  const { config } = deps;
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  const serde = new EventSerde(config.registry, config.topics);
  const log = deps.log.child({ projector: 'purge' });
  const consumer = await runBatchConsumer(
    {
      groupId: purgerGroup(config.topics.prefix),
      events: ['video-purged'],
      limits: { maxRecords: 1, lingerMs: 0 },
      sink: async (records) => {
        for (const record of records) {
          const purged = await serde.decode('video-purged', record.value);
          const rows = await deleteVideoRows(client, { videoId: purged.video_id, requestedAt: purged.requested_at });
          // A redelivery finds no rows: the first record (same key, lower version) keeps its counts.
          const existing = await client.select<{ n: string }>(
            `SELECT toString(count()) AS n FROM deletions WHERE deleted_event_id = ${literal(purged.deleted_event_id)} AND rows_removed > 0`,
          );
          if (rows.size === 0 && existing[0]?.n !== '0') continue;
          await client.insert({ table: 'deletions', format: 'JSONEachRow', values: [deletionRow(purged, rows, Date.now())] });
          log.info(
            { video_id: purged.video_id, topic: record.topic, partition: record.partition, offset: record.offset, rows: Object.fromEntries(rows) },
            'video rows deleted',
          );
        }
      },
    },
    { config, log },
  );
  return {
    ...consumer,
    stop: async () => {
      await consumer.stop();
      await client.close();
    },
  };
}
