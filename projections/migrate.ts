import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { FilmroomError, describeError } from '../common/errors.ts';
import { ensureDatabase } from './clickhouse-client.ts';
import { refreshAll, storedReadRows } from './stored-read-rows.ts';
import { refreshViews } from './views.ts';

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
 * Applies the migrations not yet recorded in `schema_migrations`, in order. Each statement is
 * recorded in `schema_migration_steps` once it succeeded, so a migration interrupted half-way
 * resumes at the statement it stopped at: multi-step changes (copy a table, drop it, rename the
 * copy) never run a step twice. Most statements are idempotent besides (IF NOT EXISTS).
 */
export async function migrate(admin: ClickHouseClient, client: ClickHouseClient, database: string): Promise<string[]> {
  await ensureDatabase(admin, database);
  await client.command({
    query: 'CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree ORDER BY version',
  });
  await client.command({
    query:
      'CREATE TABLE IF NOT EXISTS schema_migration_steps (version UInt32, statement UInt32, applied_at DateTime) ENGINE = MergeTree ORDER BY (version, statement)',
  });
  const select = async <T>(query: string) => (await (await client.query({ query, format: 'JSONEachRow' })).json()) as T[];
  const applied = new Set((await select<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
  const now = () => Math.floor(Date.now() / 1000);
  const done: string[] = [];
  for (const migration of loadMigrations()) {
    if (applied.has(migration.version)) continue;
    const stepsDone = new Set(
      (await select<{ statement: number }>(`SELECT statement FROM schema_migration_steps WHERE version = ${migration.version}`)).map((r) =>
        Number(r.statement),
      ),
    );
    for (const [index, statement] of migration.statements.entries()) {
      if (stepsDone.has(index)) continue;
      try {
        await client.command({ query: statement });
      } catch (error) {
        throw new FilmroomError('SERVICE_UNAVAILABLE', `migration ${migration.name} failed at statement ${index + 1}: ${describeError(error)}`, {
          cause: error,
          retriable: false,
        });
      }
      await client.insert({
        table: 'schema_migration_steps',
        format: 'JSONEachRow',
        values: [{ version: migration.version, statement: index, applied_at: now() }],
      });
    }
    await client.insert({
      table: 'schema_migrations',
      format: 'JSONEachRow',
      values: [{ version: migration.version, name: migration.name, applied_at: now() }],
    });
    done.push(migration.name);
  }
  // Views after the tables they read: a view whose SELECT changed is created again.
  const views = await refreshViews(client);
  for (const view of views) done.push(`view ${view}`);
  // Stored read rows follow their definition: one that changed (or a new table) recomputes them all.
  for (const stored of storedReadRows.filter((read) => views.includes(read.computed))) {
    await refreshAll(client, [stored]);
    done.push(`${stored.table} recomputed`);
  }
  return done;
}
