import { formatReport, stackUp } from '../deploy/local/stack.ts';
import type { CliContext } from './main.ts';

/**
 * The main job. For now it brings the stack up and says what runs; the processors, projections and
 * API join here as their issues land.
 */
export async function startMainJob(ctx: CliContext): Promise<void> {
  const config = ctx.config();
  ctx.print('filmroom: bringing the local stack up...');
  await stackUp(config, ctx.log(), (report) => ctx.print(formatReport(report)));
  ctx.print('');
  ctx.print('The stack is running on 127.0.0.1. Connect with:');
  ctx.print(`  Kafka brokers    ${config.kafka.brokers.join(',')}`);
  ctx.print(`  Schema registry  ${config.registry.url}`);
  ctx.print(
    `  ClickHouse       clickhouse-client --port ${config.clickhouse.tcpPort} --user ${config.clickhouse.user} --password ****  (database ${config.clickhouse.database})`,
  );
  ctx.print(`  S3               ${config.s3.endpoint}  buckets ${Object.values(config.s3.buckets).join(', ')}`);
  ctx.print('');
  ctx.print('Processing of the bundled sample arrives with the processor issues; stop the stack with `npm run stack -- down`.');
}
