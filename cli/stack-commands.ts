import type { Command } from 'commander';
import { formatReport, serviceNames, stackDown, stackLogs, stackStatus, stackUp } from '../deploy/local/stack.ts';
import { ExitCode, type CliContext } from './context.ts';

export function registerStackCommands(program: Command, ctx: CliContext): void {
  const stack = program.command('stack').description('Manage the local stack (Kafka, schema registry, ClickHouse, S3) on 127.0.0.1, data under FILMROOM_HOME');

  stack
    .command('up')
    .description('Install what is missing, start every service, wait until each is healthy (idempotent)')
    .action(async () => {
      const started = Date.now();
      await stackUp(ctx.config(), ctx.log(), (report) => ctx.print(formatReport(report)));
      ctx.print(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s; data in ${ctx.config().home}`);
    });

  stack
    .command('down')
    .description('Stop the processes that `stack up` started (by recorded pid); data is kept')
    .action(async () => {
      await stackDown(ctx.config(), (report) => ctx.print(formatReport(report)));
    });

  stack
    .command('status')
    .description('Show up/down and health per service; exits 1 unless every service is up')
    .action(async () => {
      const reports = await stackStatus(ctx.config());
      for (const report of reports) ctx.print(formatReport(report));
      if (reports.some((r) => r.state !== 'up')) throw new ExitCode(1);
    });

  stack
    .command('logs')
    .argument('[service]', `one of ${serviceNames().join(', ')} (default: all)`)
    .option('-n, --lines <count>', 'lines to show from the end of each log', '50')
    .option('-f, --follow', 'keep printing new lines', false)
    .description("Show the services' logs")
    .action(async (service: string | undefined, options: { lines: string; follow: boolean }) => {
      const code = await stackLogs(ctx.config(), { service, lines: Number(options.lines) || 50, follow: options.follow });
      if (code !== 0) throw new ExitCode(code);
    });
}
