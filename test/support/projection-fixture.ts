import { randomUUID } from 'node:crypto';
import type { Config } from '../../common/config.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { migrate } from '../../projections/migrate.ts';
import { writeCheckVersions } from '../../projections/projector.ts';
import { isolatedConfig } from './echo-fixture.ts';

/** A config with its own topics and its own ClickHouse database, migrated. */
export async function projectionConfig(overrides: Record<string, string> = {}): Promise<Config> {
  const config = isolatedConfig({ FILMROOM_CLICKHOUSE_DATABASE: `it_${randomUUID().replaceAll('-', '').slice(0, 12)}`, ...overrides });
  const admin = createClickHouse(config.clickhouse);
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  await migrate(admin, client, config.clickhouse.database);
  await writeCheckVersions(client);
  await admin.close();
  await client.close();
  return config;
}

export async function dropDatabase(config: Config): Promise<void> {
  const admin = createClickHouse(config.clickhouse);
  await admin.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouse.database}` });
  await admin.close();
}

/** Rows of a query, polled until `until` holds or the timeout passes. */
export async function queryUntil<T>(config: Config, query: string, until: (rows: T[]) => boolean, timeoutMs = 60_000): Promise<T[]> {
  const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const rows = (await (await client.query({ query, format: 'JSONEachRow' })).json()) as T[];
      if (until(rows)) return rows;
      if (Date.now() > deadline) throw new Error(`timed out waiting on: ${query} (last: ${JSON.stringify(rows).slice(0, 500)})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.close();
  }
}
