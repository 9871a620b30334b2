import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';

/** Views defined by a SELECT file each (projections/views/<name>.sql), not by numbered migrations. */
export const viewsDir = join(import.meta.dirname, 'views');

const viewNames = () =>
  readdirSync(viewsDir)
    .filter((file) => /^[a-z_]+\.sql$/.test(file))
    .map((file) => file.replace(/\.sql$/, ''))
    .sort();

/** SQL written once and included by several queries (projections/views/fragments/<name>.sql): `{fragment:<name>}` in a view's SELECT. */
const fragmentsDir = join(viewsDir, 'fragments');

/** A SQL file's text without its `--` comment lines. */
const sqlOf = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n')
    .trim();

const bindVideoFilter = (sql: string, videoFilter: string) => sql.replaceAll('{video_filter}', `(${videoFilter})`);

/**
 * A view's SELECT, its fragments included, with `{video_filter}` bound: `1` for the view itself, or
 * SQL over `video_id` (with query parameters) for a read of one video or one id prefix.
 */
export function viewSelect(name: string, videoFilter = '1'): string {
  const sql = sqlOf(join(viewsDir, `${name}.sql`)).replace(
    /\{fragment:([a-z_]+)\}/g,
    (_, fragment: string) => `(${sqlOf(join(fragmentsDir, `${fragment}.sql`))})`,
  );
  return bindVideoFilter(sql, videoFilter);
}

/** A fragment alone, `{video_filter}` bound: for a query of the read model that applies the same rule. */
export const fragmentSql = (name: string, videoFilter = '1'): string => `(${bindVideoFilter(sqlOf(join(fragmentsDir, `${name}.sql`)), videoFilter)})`;

/** The statements that (re)create a view from its SELECT file. */
export const viewStatements = (name: string): string[] => [`DROP TABLE IF EXISTS ${name}`, `CREATE VIEW ${name} AS ${viewSelect(name)}`];

/** Every view's statements, for a database built from scratch (a test on another server). */
export const allViewStatements = (): string[] => viewNames().flatMap(viewStatements);

/**
 * (Re)creates every view whose SELECT changed since it was last created (a digest per view in
 * `schema_views`); an unchanged view is left alone, so running processes keep querying it.
 * Returns the views created.
 */
export async function refreshViews(client: ClickHouseClient): Promise<string[]> {
  await client.command({
    query: 'CREATE TABLE IF NOT EXISTS schema_views (name String, digest String, applied_at DateTime) ENGINE = MergeTree ORDER BY (name, applied_at)',
  });
  const created: string[] = [];
  for (const name of viewNames()) {
    const select = viewSelect(name);
    const digest = createHash('sha256').update(select).digest('hex');
    const rows = (await (
      await client.query({ query: `SELECT argMax(digest, applied_at) AS digest FROM schema_views WHERE name = '${name}'`, format: 'JSONEachRow' })
    ).json()) as { digest: string }[];
    if (rows[0]?.digest === digest) continue;
    for (const statement of viewStatements(name)) await client.command({ query: statement });
    await client.insert({ table: 'schema_views', format: 'JSONEachRow', values: [{ name, digest, applied_at: Math.floor(Date.now() / 1000) }] });
    created.push(name);
  }
  return created;
}
