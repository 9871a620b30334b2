import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { FilmroomError, describeError } from '../common/errors.ts';
import { ensureDatabase } from './clickhouse-client.ts';

export const migrationsDir = join(import.meta.dirname, 'migrations');

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** Splits a migration file into statements: `;` at the end of a line ends one; `--` lines are comments. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .map((line) => line.replace(/^\s*--.*$/, ''))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter(Boolean);
}

export function loadMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}-[a-z0-9-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.replace(/\.sql$/, ''),
      statements: splitStatements(readFileSync(join(dir, file), 'utf8')),
    }));
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order. Statements are
 * idempotent (IF NOT EXISTS), so a migration interrupted half-way is simply run again.
 */
export async function migrate(admin: ClickHouseClient, client: ClickHouseClient, database: string): Promise<string[]> {
  await ensureDatabase(admin, database);
  await client.command({
    query: 'CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree ORDER BY version',
  });
  const applied = new Set(
    ((await (await client.query({ query: 'SELECT version FROM schema_migrations', format: 'JSONEachRow' })).json()) as { version: number }[]).map((r) =>
      Number(r.version),
    ),
  );
  const done: string[] = [];
  for (const migration of loadMigrations()) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements) {
      try {
        await client.command({ query: statement });
      } catch (error) {
        throw new FilmroomError('SERVICE_UNAVAILABLE', `migration ${migration.name} failed: ${describeError(error)}`, { cause: error, retriable: false });
      }
    }
    await client.insert({
      table: 'schema_migrations',
      format: 'JSONEachRow',
      values: [{ version: migration.version, name: migration.name, applied_at: Math.floor(Date.now() / 1000) }],
    });
    done.push(migration.name);
  }
  return done;
}
