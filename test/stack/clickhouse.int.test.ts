import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouse, param, serverVersion } from '../../projections/clickhouse-client.ts';
import { testConfig, testStackMode } from '../support/stack-config.ts';

describe('ClickHouse server (real)', () => {
  const config = testConfig();
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  const table = `it_probe_${randomUUID().replaceAll('-', '')}`;

  afterAll(async () => {
    await client.command({ query: `DROP TABLE IF EXISTS ${table}` });
    await client.close();
  });

  it('is a real server with a version and the filmroom database', async () => {
    const version = await serverVersion(client);
    expect(version).toMatch(/^\d+\.\d+/);
    if (testStackMode() === 'local') expect(version.startsWith('18.16')).toBe(true);
    const result = await client.query({ query: 'SELECT name FROM system.databases', format: 'JSONEachRow' });
    expect((await result.json()).map((row) => (row as { name: string }).name)).toContain(config.clickhouse.database);
  });

  it('given a new table, when rows are inserted, then SELECT returns them aggregated by the server', async () => {
    await client.command({
      query: `CREATE TABLE ${table} (video_id String, batch_index UInt32, frames UInt32) ENGINE = MergeTree ORDER BY (video_id, batch_index)`,
    });
    await client.insert({
      table,
      format: 'JSONEachRow',
      values: [
        { video_id: 'v1', batch_index: 0, frames: 30 },
        { video_id: 'v1', batch_index: 1, frames: 12 },
        { video_id: 'v2', batch_index: 0, frames: 30 },
      ],
    });
    const result = await client.query({
      query: `SELECT video_id, toUInt32(sum(frames)) AS frames, toUInt32(count()) AS batches FROM ${table} GROUP BY video_id ORDER BY video_id`,
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([
      { video_id: 'v1', frames: 42, batches: 2 },
      { video_id: 'v2', frames: 30, batches: 1 },
    ]);
    const tables = await client.query({ query: `SELECT name FROM system.tables WHERE database = '${config.clickhouse.database}'`, format: 'JSONEachRow' });
    expect((await tables.json()).map((row) => (row as { name: string }).name)).toContain(table);
  });

  it('binds values as data, never as SQL: injection attempts come back unchanged, with their types', async () => {
    const values = ["o'brien", "x' OR 1=1 --", "back\\slash \\' quote", 'line\nbreak\ttab', "'; DROP TABLE videos; --", 'ünïcödé ✓', '{v:String}'];
    for (const value of values) {
      const rows = await client.select<{ v: string; n: string; f: number; b: number; list: string[] }>(
        `SELECT ${param('v')} AS v, ${param('n')} AS n, ${param('f')} AS f, ${param('b')} AS b, ${param('list')} AS list`,
        { v: value, n: 42, f: 0.5, b: true, list: [value, 'x'] },
      );
      expect(rows, value).toEqual([{ v: value, n: '42', f: 0.5, b: 1, list: [value, 'x'] }]);
    }
    await expect(client.select(`SELECT * FROM no_such_table_here WHERE x = ${param('v')}`, { v: 'a' })).rejects.toThrow(/clickhouse: .*no_such_table_here/);
  });
});
