import { createWriteStream } from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { FilmroomError } from '../common/errors.ts';
import { manifestFormats, writeManifests, type ManifestFormat } from '../projections/read-model/manifests.ts';
import type { CliContext } from './context.ts';
import { withCliPorts } from './ports.ts';

export function registerManifestCommand(program: Command, ctx: CliContext): void {
  program
    .command('manifest')
    .description('Export quality manifests from ClickHouse (json, jsonl, csv, parquet), streamed to a file or stdout')
    .option('--check-version <version>', 'only this check version')
    .option('--prefix <video-id-prefix>', 'only videos whose id starts with this')
    .option('--complete', 'only manifests whose every batch is checked')
    .option('--format <format>', manifestFormats.join(', '), 'jsonl')
    .option('--out <path>', 'write to this file (default: stdout; parquet needs --out)')
    .action(async (options: { checkVersion?: string; prefix?: string; complete?: boolean; format: string; out?: string }) => {
      if (!(manifestFormats as readonly string[]).includes(options.format))
        throw new FilmroomError('USAGE', `--format takes ${manifestFormats.join(', ')} (got '${options.format}')`);
      if (options.format === 'parquet' && !options.out) throw new FilmroomError('USAGE', 'parquet is binary: give --out <file>');
      const config = ctx.config();
      const filter = {
        ...(options.checkVersion ? { checkVersion: options.checkVersion } : {}),
        ...(options.prefix ? { prefix: options.prefix } : {}),
        ...(options.complete ? { complete: true } : {}),
      };
      await withCliPorts(config, 'filmroom-manifest', async ({ readModel }) => {
        const out = new PassThrough();
        // stdout may close early (`| head`): that ends the export, it is no failure.
        const sink: Writable = options.out ? createWriteStream(options.out) : process.stdout;
        const piped = pipeline(out, sink, { end: Boolean(options.out) }).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EPIPE') throw error;
        });
        const count = await writeManifests(readModel.manifests(filter), options.format as ManifestFormat, out);
        await piped;
        if (options.out) ctx.print(`wrote ${count} manifest(s) to ${options.out}`);
      });
    });
}
