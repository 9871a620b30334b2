import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';

/**
 * The one ClickHouse client factory. Works against the Debian 18.16 server and current releases,
 * with one caveat callers must respect: 18.16 has no server-side query parameters
 * (`{name:Type}`), so values must not be passed through `query_params` there.
 */
export function createClickHouse(config: ClickHouseConfig, options: { database?: string } = {}): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.user,
    password: config.password,
    ...(options.database ? { database: options.database } : {}),
    request_timeout: 30_000,
    // Failures reach callers as errors and are logged once by them; the client's own logger would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

export async function serverVersion(client: ClickHouseClient): Promise<string> {
  const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const rows = (await result.json()) as { version: string }[];
  const version = rows[0]?.version;
  if (!version) throw new FilmroomError('SERVICE_UNHEALTHY', 'clickhouse: SELECT version() returned no row');
  return version;
}

/** The health check: a real `SELECT 1` through the HTTP interface. */
export async function selectOne(client: ClickHouseClient): Promise<void> {
  const result = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
  const rows = (await result.json()) as { one: number }[];
  if (Number(rows[0]?.one) !== 1) throw new FilmroomError('SERVICE_UNHEALTHY', 'clickhouse: SELECT 1 did not return 1');
}

export async function ensureDatabase(client: ClickHouseClient, database: string): Promise<void> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new FilmroomError('CONFIG_INVALID', `invalid ClickHouse database name ${database}`);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
}
