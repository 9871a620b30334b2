import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { projectionFamilies } from './projector.ts';
import {
  jobStatusLatest,
  manifestsLatest,
  noteChange,
  refreshChanged,
  refreshStatement,
  refreshVideos,
  storedReadRows,
  type ChangedVideos,
} from './stored-read-rows.ts';
import { fragmentSql, viewSelect } from './views.ts';

const migrations = { job_status_latest: '014-job-status-latest.sql', manifests_latest: '015-manifests-latest.sql' } as const;
const migrationsDir = join(import.meta.dirname, 'migrations');
const migrationOf = (table: string) => readFileSync(join(migrationsDir, migrations[table as keyof typeof migrations]), 'utf8');
/** The table's columns in order: as created, then each later `ALTER TABLE … ADD COLUMN c … AFTER b` applied. */
function tableColumnsOf(table: string): string[] {
  const columns = [...migrationOf(table).matchAll(/^ {2}([a-z0-9_]+) [A-Z]/gm)].map((m) => m[1]!);
  for (const file of readdirSync(migrationsDir).sort()) {
    const sql = readFileSync(join(migrationsDir, file), 'utf8');
    for (const [, column, after] of sql.matchAll(new RegExp(`^ALTER TABLE ${table} ADD COLUMN ([a-z0-9_]+) .* AFTER ([a-z0-9_]+);$`, 'gm')))
      columns.splice(columns.indexOf(after!) + 1, 0, column!);
  }
  return columns;
}
const recording = () => {
  const queries: string[] = [];
  const client = { command: async ({ query }: { query: string }) => void queries.push(query) } as unknown as ClickHouseClient;
  return { queries, client };
};

describe.each(storedReadRows.map((stored) => [stored.table, stored] as const))('%s, stored read rows', (table, stored) => {
  it('is recomputed after inserts into exactly the tables its computation reads, each a projected table', () => {
    const computed = viewSelect(stored.computed);
    const read = new Set([...computed.matchAll(/\bFROM\s+([a-z_]+)/g)].map((m) => m[1]!));
    expect(read).toEqual(new Set(stored.inputs));
    const projected = new Set<string>(Object.values(projectionFamilies).flatMap((family) => [...family.tables]));
    for (const input of stored.inputs) expect(projected.has(input), input).toBe(true);
  });

  it('counts failures by the one unresolved-failure rule (views/fragments/unresolved_failure.sql), bound to the same videos', () => {
    expect(viewSelect(stored.computed, "video_id = 'a'")).toContain(fragmentSql('unresolved_failure', "video_id = 'a'"));
    expect(viewSelect(stored.computed)).not.toContain('{fragment:');
  });

  it('stores every column of the table but its version, and only the videos asked for', () => {
    const tableColumns = tableColumnsOf(table);
    const statement = refreshStatement(stored, "video_id IN ('a')", 1234);
    const [, into, inserted] = /^INSERT INTO ([a-z_]+) \(([^)]*)\)/.exec(statement)!;
    expect(into).toBe(table);
    expect(inserted!.split(', ')).toEqual(tableColumns);
    expect(statement).toContain("WHERE (video_id IN ('a'))");
    expect(statement).not.toContain('{video_filter}');
    expect(statement).toContain('toUInt64(1234)');
  });

  it('recomputes many videos in statements the server accepts (max_query_size 256 KiB), each video once', async () => {
    const { queries, client } = recording();
    const ids = Array.from({ length: 10_000 }, (_, i) => `2024/01/game-${String(i).padStart(5, '0')}`);
    await refreshVideos(client, stored, [...ids, ...ids], () => 1);
    expect(queries.length).toBeGreaterThan(1);
    for (const query of queries) expect(Buffer.byteLength(query)).toBeLessThan(256 * 1024);
    const asked = queries.flatMap((q) => [...q.matchAll(/'(2024[^']+)'/g)].map((m) => m[1]!));
    expect(new Set(asked).size).toBe(ids.length);
  });
});

describe('the writer hook', () => {
  it('notes each projected row for the stored reads computed from its table, and recomputes both tables, the manifests first', async () => {
    const changed: ChangedVideos = new Map();
    // videos feeds both reads, extracted_videos only the manifests, retries only the status, tracklets neither.
    noteChange(changed, 'videos', 'v-1');
    noteChange(changed, 'extracted_videos', 'v-2');
    noteChange(changed, 'retries', 'v-3');
    noteChange(changed, 'tracklets', 'v-4');
    expect([...changed.get(jobStatusLatest)!]).toEqual(['v-1', 'v-3']);
    expect([...changed.get(manifestsLatest)!]).toEqual(['v-1', 'v-2']);
    const { queries, client } = recording();
    await refreshChanged(client, changed, () => 7);
    // A reader who sees the job end must find its manifest recomputed already.
    expect(queries.map((q) => /^INSERT INTO ([a-z_]+)/.exec(q)![1])).toEqual(['manifests_latest', 'job_status_latest']);
    expect(queries[0]).toContain("video_id IN ('v-1', 'v-2')");
    expect(queries[1]).toContain("video_id IN ('v-1', 'v-3')");
  });
});
