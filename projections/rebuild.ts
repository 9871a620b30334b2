import type { ClickHouseClient } from '@clickhouse/client';
import { FilmroomError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { endOffsets, groupState, rewindGroup } from '../streams/offsets.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { topicName } from '../streams/topics.ts';
import type { ClickHouse } from './clickhouse-client.ts';
import { reapplyDeletions } from './purge.ts';
import { refreshAll, storedReadRows } from './stored-read-rows.ts';
import { projectionFamilies, projectorGroup, runProjectors, type ProjectionFamily, type ProjectorDeps } from './projector.ts';

export interface RebuildReport {
  family: ProjectionFamily;
  tables: string[];
  records: number;
  seconds: number;
}

/**
 * Rebuilds projection families from Kafka: truncates their tables, points their consumer groups at
 * the earliest offsets, and projects until caught up with the topics' ends as they were when the
 * rebuild began, then recomputes every stored job status and manifest (stored-read-rows.ts) and applies the
 * recorded deletions again (purge.ts). The family's projectors must be stopped meanwhile (checked: a group with active
 * members is refused); they continue from the rebuilt position when started again.
 */
export async function rebuildProjections(
  deps: { config: ProjectorDeps['config']; clickhouse: ClickHouse; log: Logger },
  families: ProjectionFamily[],
  onProgress: (line: string) => void = () => {},
): Promise<RebuildReport[]> {
  const { config, clickhouse } = deps;
  const kafka = createKafka(config.kafka, 'filmroom-rebuild');
  {
    // Every family is checked before any table is touched: a refused rebuild changes nothing.
    for (const family of families) {
      const groupId = projectorGroup(family, config.topics.prefix);
      const { state, members } = await groupState(kafka, groupId);
      if (state !== 'Empty' && state !== 'Dead') {
        throw new FilmroomError(
          'USAGE',
          `projector group ${groupId} is ${state} with ${members} member(s): stop the projectors (filmroom run) before rebuilding ${family}`,
        );
      }
    }
    // The families replay side by side: each has its own group, tables and topics. They start together,
    // sharing one writer thread: a writer per family would load the row builders sixteen times over.
    const started = Date.now();
    const plans = await Promise.all(
      families.map(async (family) => {
        const groupId = projectorGroup(family, config.topics.prefix);
        const topics = projectionFamilies[family].events.map((event) => topicName(event, config.topics));
        const ends = await endOffsets(kafka, topics);
        const records = [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
        for (const table of projectionFamilies[family].tables) await clickhouse.command({ query: `TRUNCATE TABLE ${table}` });
        await rewindGroup(kafka, groupId, topics);
        onProgress(`${family}: tables ${projectionFamilies[family].tables.join(', ')} truncated; replaying up to ${records} records from ${topics.join(', ')}`);
        return { family, ends, records };
      }),
    );
    const projectors = await runProjectors(deps, families);
    let reports: RebuildReport[];
    try {
      reports = await Promise.all(
        plans.map(async ({ family, ends, records }, i): Promise<RebuildReport> => {
          await projectors[i]!.waitUntilCaughtUp(ends, 30 * 60_000);
          const seconds = (Date.now() - started) / 1000;
          onProgress(`${family}: rebuilt in ${seconds.toFixed(1)} s`);
          return { family, tables: [...projectionFamilies[family].tables], records, seconds };
        }),
      );
    } finally {
      await Promise.all(projectors.map((projector) => projector.stop()));
    }
    // Stored statuses and manifests as the rebuilt tables give them, and none of a video they no longer hold.
    const refreshedMs = Date.now();
    await refreshAll(clickhouse, storedReadRows, () => refreshedMs);
    for (const { table } of storedReadRows) {
      await clickhouse.command({ query: `ALTER TABLE ${table} DELETE WHERE refreshed_ms < ${refreshedMs}` });
      onProgress(`${table}: every video recomputed`);
    }
    // The topics still hold a deleted video's events: its deletions (kept in `deletions`, which no rebuild truncates) win again.
    const removed = await reapplyDeletions(clickhouse);
    if (removed) onProgress(`deletions: ${removed} row(s) of deleted videos removed again`);
    return reports;
  }
}

/** A checksum of a table's deduplicated content (but the columns `except`): row count and the sum of every row's hash. */
export async function tableChecksum(
  clickhouse: ClickHouseClient,
  database: string,
  table: string,
  except: readonly string[] = [],
): Promise<{ rows: string; hash: string }> {
  const columns = (await (
    await clickhouse.query({
      query: `SELECT name FROM system.columns WHERE database = '${database}' AND table = '${table}' ORDER BY name`,
      format: 'JSONEachRow',
    })
  ).json()) as { name: string }[];
  const hashOf = columns
    .filter((c) => !except.includes(c.name))
    .map((c) => `cityHash64(${c.name})`)
    .join(', ');
  const result = await clickhouse.query({
    query: `SELECT toString(count()) AS rows, toString(sum(cityHash64(${hashOf}))) AS hash FROM ${table} FINAL`,
    format: 'JSONEachRow',
  });
  return ((await result.json()) as { rows: string; hash: string }[])[0]!;
}
