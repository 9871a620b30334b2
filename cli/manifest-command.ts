import { createWriteStream } from 'node:fs';
import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { FilmroomError } from '../common/errors.ts';
import { formatOfPath, manifestFormats, writeManifests, type ManifestFormat } from '../projections/read-model/manifest-formats.ts';
import { manifestExport } from '../projections/read-model/manifests.ts';
import type { CliContext } from './context.ts';
import { withCliPorts } from './ports.ts';

interface ManifestOptions {
  checkVersion?: string;
  prefix?: string;
  complete?: boolean;
  format?: string;
  out?: string;
}

/** The format asked for, else the one `--out`'s extension implies, else JSON Lines. */
function formatOf(options: ManifestOptions): ManifestFormat {
  if (options.format !== undefined && !(manifestFormats as readonly string[]).includes(options.format))
    throw new FilmroomError('USAGE', `--format takes ${manifestFormats.join(', ')} (got '${options.format}')`);
  const format = (options.format as ManifestFormat | undefined) ?? (options.out ? formatOfPath(options.out) : undefined) ?? 'jsonl';
  if (format === 'parquet' && !options.out) throw new FilmroomError('USAGE', 'parquet is binary: give --out <file>');
  return format;
}

const whyNotWritable = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR'
    ? 'no such directory'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'it is a directory'
        : String(code);
};

/** Checks, before anything is queried, that the output's directory can be written (an existing file stays as it is until then). */
async function checkOut(path: string): Promise<void> {
  try {
    await access(dirname(resolve(path)), constants.W_OK);
  } catch (error) {
    throw new FilmroomError('USAGE', `--out ${path}: cannot write there (${whyNotWritable(error)})`);
  }
  if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new FilmroomError('USAGE', `--out ${path}: cannot write there (it is a directory)`);
}

/** Opens the output file; an error is one readable line, not a stack trace. */
async function openOut(path: string): Promise<Writable> {
  try {
    // The stream owns the FileHandle itself: handing it only the number let GC close the handle mid-write (EBADF).
    const handle = await open(path, 'w');
    return createWriteStream(path, { fd: handle });
  } catch (error) {
    throw new FilmroomError('USAGE', `--out ${path}: cannot write there (${whyNotWritable(error)})`);
  }
}

export function registerManifestCommand(program: Command, ctx: CliContext): void {
  program
    .command('manifest')
    .description(
      'Export quality manifests from ClickHouse (json, jsonl, csv, parquet), streamed to a file or stdout: one row per ingested video (failed ones with error), one check version per export',
    )
    .option('--check-version <version>', 'the check version to export (needed when the videos have results of more than one)')
    .option('--prefix <prefix>', 'only videos whose id or source key (s3_key, e.g. 2024/01/) starts with this')
    .option('--complete', 'only manifests whose every batch is checked')
    .option('--format <format>', `${manifestFormats.join(', ')} (default: from --out's extension, else jsonl)`)
    .option('--out <path>', 'write to this file (default: stdout; parquet needs --out)')
    .action(async (options: ManifestOptions) => {
      const format = formatOf(options);
      const config = ctx.config();
      if (options.out) await checkOut(options.out);
      await withCliPorts(config, 'filmroom-manifest', async ({ readModel }) => {
        const choice = {
          ...(options.checkVersion ? { checkVersion: options.checkVersion } : {}),
          ...(options.prefix ? { prefix: options.prefix } : {}),
          ...(options.complete ? { complete: true } : {}),
        };
        const { rows } = await manifestExport(readModel, choice, '--check-version');
        const sink: Writable = options.out ? await openOut(options.out) : process.stdout;
        const out = new PassThrough();
        // stdout may close early (`| head`): that ends the export, it is no failure.
        const piped = pipeline(out, sink, { end: Boolean(options.out) }).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EPIPE') throw new FilmroomError('HANDLER_FAILED', `writing the manifest failed: ${error.message}`, { cause: error });
        });
        const [count] = await Promise.all([writeManifests(rows, format, out), piped]);
        if (options.out) ctx.print(`wrote ${count} manifest(s) to ${options.out}`);
      });
    });
}
