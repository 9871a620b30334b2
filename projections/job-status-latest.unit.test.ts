import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { jobStatusInputs, refreshJobStatus, refreshStatement } from './job-status-latest.ts';
import { projectionFamilies } from './projector.ts';
import { viewsDir } from './views.ts';

const computed = readFileSync(join(viewsDir, 'job_status_computed.sql'), 'utf8');
const migration = readFileSync(join(import.meta.dirname, 'migrations', '014-job-status-latest.sql'), 'utf8');

describe('job_status, materialised', () => {
  it('is recomputed after inserts into exactly the tables its computation reads, each a projected table', () => {
    const read = new Set([...computed.matchAll(/\bFROM\s+([a-z_]+)/g)].map((m) => m[1]!));
    expect(read).toEqual(new Set(jobStatusInputs));
    const projected = new Set<string>(Object.values(projectionFamilies).flatMap((family) => [...family.tables]));
    for (const table of jobStatusInputs) expect(projected.has(table), table).toBe(true);
  });

  it('stores every column of the table but its version, and only the videos asked for', () => {
    const tableColumns = [...migration.matchAll(/^ {2}([a-z_]+) [A-Z]/gm)].map((m) => m[1]);
    const statement = refreshStatement("video_id IN ('a')", 1234);
    const [, inserted] = /^INSERT INTO job_status_latest \(([^)]*)\)/.exec(statement)!;
    expect(inserted!.split(', ')).toEqual(tableColumns);
    expect(statement).toContain("WHERE (video_id IN ('a'))");
    expect(statement).toContain('toUInt64(1234)');
  });

  it('recomputes many videos in statements the server accepts (max_query_size 256 KiB), each video once', async () => {
    const queries: string[] = [];
    const client = { command: async ({ query }: { query: string }) => void queries.push(query) } as unknown as ClickHouseClient;
    const ids = Array.from({ length: 10_000 }, (_, i) => `2024/01/game-${String(i).padStart(5, '0')}`);
    await refreshJobStatus(client, [...ids, ...ids], () => 1);
    expect(queries.length).toBeGreaterThan(1);
    for (const query of queries) expect(Buffer.byteLength(query)).toBeLessThan(256 * 1024);
    const asked = queries.flatMap((q) => [...q.matchAll(/'(2024[^']+)'/g)].map((m) => m[1]!));
    expect(new Set(asked).size).toBe(ids.length);
  });
});
