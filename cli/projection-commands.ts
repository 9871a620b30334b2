import type { Command } from 'commander';
import { FilmroomError } from '../common/errors.ts';
import { createClickHouse } from '../projections/clickhouse-client.ts';
import { migrate } from '../projections/migrate.ts';
import { familyNames, writeCheckVersions, type ProjectionFamily } from '../projections/projector.ts';
import { rebuildProjections } from '../projections/rebuild.ts';
import type { CliContext } from './context.ts';

export function registerProjectionCommands(program: Command, ctx: CliContext): void {
  const projections = program.command('projections').description('ClickHouse projections: apply migrations, rebuild tables from Kafka');

  projections
    .command('migrate')
    .description('Apply the ClickHouse migrations not applied yet (idempotent)')
    .action(async () => {
      const config = ctx.config();
      const admin = createClickHouse(config.clickhouse);
      const client = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
      try {
        const applied = await migrate(admin, client, config.clickhouse.database);
        await writeCheckVersions(client);
        ctx.print(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply: up to date');
      } finally {
        await admin.close();
        await client.close();
      }
    });

  projections
    .command('rebuild')
    .description('Truncate projection tables and replay their topics from the earliest offset (stop the projectors first)')
    .option('--table <family...>', `families to rebuild: ${familyNames.join(', ')} (default: all)`)
    .action(async (options: { table?: string[] }) => {
      const families = (options.table ?? familyNames) as ProjectionFamily[];
      const unknown = families.filter((f) => !familyNames.includes(f));
      if (unknown.length)
        throw new FilmroomError(
          'USAGE',
          `unknown projection famil${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}: choose from ${familyNames.join(', ')}`,
        );
      const config = ctx.config();
      const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
      try {
        const reports = await rebuildProjections({ config, clickhouse, log: ctx.log() }, families, ctx.print);
        ctx.print(`rebuilt ${reports.length} famil${reports.length === 1 ? 'y' : 'ies'} from ${reports.reduce((n, r) => n + r.records, 0)} records`);
      } finally {
        await clickhouse.close();
      }
    });
}
