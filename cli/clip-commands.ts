import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { FilmroomError } from '../common/errors.ts';
import { exportDataset } from '../processors/clips/export-dataset.ts';
import { importPlays, type ImportResult } from '../processors/clips/import-plays.ts';
import { idPattern, playRowsOfCsv, playRowsOfJson, type RawPlayRow } from '../processors/clips/plays.ts';
import type { ReadModel } from '../projections/read-model/port.ts';
import { createS3Client, putObject, s3Uri } from '../storage/object-store.ts';
import { ExitCode, type CliContext } from './context.ts';
import { withCliPorts } from './ports.ts';

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Rows of a plays file (CSV, or JSON: an array or {plays: [...]}) grouped by game. */
function readPlaysFile(path: string, game: string | undefined): Map<string, RawPlayRow[]> {
  if (!existsSync(path)) throw new FilmroomError('USAGE', `no such file: ${path}`);
  const text = readFileSync(path, 'utf8');
  let rows: RawPlayRow[];
  if (extname(path).toLowerCase() === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new FilmroomError('USAGE', `${path} is not valid JSON: ${(error as Error).message}`);
    }
    const items = Array.isArray(parsed) ? parsed : (parsed as { plays?: unknown })?.plays;
    if (!Array.isArray(items)) throw new FilmroomError('USAGE', `${path}: expected a JSON array of plays or {"plays": [...]}`);
    rows = playRowsOfJson(items);
  } else {
    const csv = playRowsOfCsv(text);
    if (csv.missingColumns.length) throw new FilmroomError('USAGE', `${path}: the CSV header lacks column(s) ${csv.missingColumns.join(', ')}`);
    rows = csv.rows;
  }
  const byGame = new Map<string, RawPlayRow[]>();
  for (const row of rows) {
    const id = game ?? (typeof row.cells.game_id === 'string' || typeof row.cells.game_id === 'number' ? String(row.cells.game_id) : '');
    if (!id) throw new FilmroomError('USAGE', `${path} ${row.row}: no game_id column value and no --game given`);
    byGame.set(id, [...(byGame.get(id) ?? []), row]);
  }
  return byGame;
}

function printImport(ctx: CliContext, result: ImportResult): void {
  for (const e of result.errors) ctx.print(`  rejected ${e.row}${e.play_id ? ` (play ${e.play_id})` : ''}: ${e.field}: ${e.message}`);
  const videos = result.videos.map((v) => `${v.camera} ${v.clips} (video ${v.video_id})`).join(', ');
  ctx.print(
    `game ${result.game_id}: ${result.accepted} play(s) imported, ${result.rejected} rejected; ${result.clips} clip(s) requested${videos ? `: ${videos}` : ''}`,
  );
}

const numberOption = (name: string, text: string, check: (n: number) => boolean, expected: string) => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new FilmroomError('USAGE', `${name} must be ${expected} (got '${text}')`);
  return value;
};

/** Waits until none of the game's clips is pending, with a progress bar; returns the clips. */
async function waitForClips(readModel: ReadModel, gameId: string, timeoutMs: number, quiet: boolean) {
  const bar = new cliProgress.SingleBar(
    { format: ` Clips ${gameId} [{bar}] {value}/{total} ({failed} failed)`, hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const clips = await readModel.gameClips(gameId);
      const done = clips.filter((c) => c.status !== 'PENDING').length;
      if (!quiet && clips.length > 0) {
        if (!started) bar.start(clips.length, done, { failed: 0 });
        started = true;
        bar.setTotal(clips.length);
        bar.update(done, { failed: clips.filter((c) => c.status === 'FAILED').length });
      }
      if (clips.length > 0 && done === clips.length) return clips;
      if (Date.now() > deadline) {
        throw new FilmroomError(
          'SERVICE_UNAVAILABLE',
          `game ${gameId}: ${clips.length - done} of ${clips.length} clip(s) still pending after ${timeoutMs / 1000} s: is \`filmroom run\` (clips, projections) running?`,
          { retriable: false },
        );
      }
      await sleep(1000);
    }
  } finally {
    if (started) bar.stop();
  }
}

export function registerClipCommands(program: Command, ctx: CliContext): void {
  const plays = program.command('plays').description('Plays of games: import them (validated row by row) to have their clips cut');
  plays
    .command('import')
    .argument('<file>', 'plays as CSV (play_id, angle, start_s|start_timestamp, end_s|end_timestamp, play_type, annotation, game_id) or JSON')
    .description('Import plays: valid rows become plays-imported and clips-requested events (one per camera video); invalid rows are listed')
    .option('--game <id>', 'the game of every row (default: each row’s game_id column)')
    .option('--mode <mode>', 'reencode (frame-accurate) or copy (stream copy); default FILMROOM_CLIPS_MODE')
    .action(async (file: string, options: { game?: string; mode?: string }) => {
      if (options.game !== undefined && !idPattern.test(options.game)) throw new FilmroomError('USAGE', `--game '${options.game}' is not a valid game id`);
      if (options.mode !== undefined && !['reencode', 'copy'].includes(options.mode))
        throw new FilmroomError('USAGE', `--mode must be reencode or copy (got '${options.mode}')`);
      const byGame = readPlaysFile(resolve(file), options.game);
      const config = ctx.config();
      let rejected = 0;
      await withCliPorts(config, 'filmroom-plays', async (ports) => {
        const publisher = await ports.publisher(['plays-imported', 'clips-requested']);
        for (const [gameId, rows] of byGame) {
          const result = await importPlays(
            {
              angleMap: config.clips.angleMap,
              gameVideos: (id) => ports.readModel.gameVideos(id),
              publish: (outputs) => publisher.publish(outputs),
              now: Date.now,
            },
            {
              gameId,
              rows,
              mode: options.mode === 'copy' ? 'COPY' : options.mode === 'reencode' ? 'REENCODE' : null,
              importer: 'cli',
              producer: { name: 'cli', version: '0.1.0' },
            },
          );
          printImport(ctx, result);
          rejected += result.rejected;
        }
      });
      if (rejected > 0) throw new ExitCode(1);
    });

  const dataset = program.command('dataset').description('Training datasets made of clips');
  dataset
    .command('export')
    .description('Write training_data.jsonl and validation_data.jsonl for a game (split by play, only clips that were cut) and emit dataset-exported')
    .requiredOption('--game <id>', 'the game')
    .option('--split <share>', 'share of plays in the training set, between 0 and 1', '0.8')
    .option('--seed <n>', 'seed of the split (same seed, same split)', '42')
    .option('--format <format>', 'vertex ({"videoGcsUri","textPrompt"}) or jsonl (every field, s3 URIs)', 'vertex')
    .option('--out <dir>', 'also write the two files into this folder')
    .option('--uri-prefix <prefix>', "replace each clip URI's s3://<bucket>/ with this (e.g. the gs:// bucket the clips are mirrored to)")
    .option('--wait', 'wait until no clip of the game is pending, with progress', false)
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action(
      async (options: { game: string; split: string; seed: string; format: string; out?: string; uriPrefix?: string; wait: boolean; timeout: string }) => {
        if (!idPattern.test(options.game)) throw new FilmroomError('USAGE', `--game '${options.game}' is not a valid game id`);
        const split = numberOption('--split', options.split, (n) => n > 0 && n < 1, 'a number between 0 and 1 (exclusive)');
        const seed = numberOption('--seed', options.seed, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, 'an integer from 0 to 4294967295');
        const timeout = numberOption('--timeout', options.timeout, (n) => n > 0, 'a positive number of seconds');
        const format = options.format.toLowerCase();
        if (format !== 'vertex' && format !== 'jsonl') throw new FilmroomError('USAGE', `--format must be vertex or jsonl (got '${options.format}')`);
        const config = ctx.config();
        const s3 = createS3Client(config.s3);
        await withCliPorts(config, 'filmroom-dataset', async (ports) => {
          const clips = options.wait ? await waitForClips(ports.readModel, options.game, timeout * 1000, false) : await ports.readModel.gameClips(options.game);
          if (clips.length === 0) throw new FilmroomError('USAGE', `game ${options.game} has no clips: import its plays first (filmroom plays import)`);
          const pending = clips.filter((c) => c.status === 'PENDING').length;
          if (pending > 0)
            throw new FilmroomError('SERVICE_UNAVAILABLE', `game ${options.game}: ${pending} of ${clips.length} clip(s) still pending (use --wait)`, {
              retriable: false,
            });
          const bucket = config.s3.buckets.exports;
          const result = await exportDataset(
            {
              plays: (id) => ports.readModel.gamePlays(id),
              clips: async () => clips,
              put: async (key, body) => {
                await putObject(s3, { bucket, key }, body, 'application/jsonl');
                return s3Uri({ bucket, key });
              },
              publish: async (outputs) => (await ports.publisher(['dataset-exported'])).publish(outputs),
              now: Date.now,
            },
            {
              gameId: options.game,
              format: format === 'vertex' ? 'VERTEX' : 'JSONL',
              split,
              seed,
              exporter: 'cli',
              ...(options.uriPrefix ? { uriOf: (uri: string) => uri.replace(/^s3:\/\/[^/]+\//, options.uriPrefix!) } : {}),
            },
          );
          const e = result.event;
          ctx.print(`training:   ${e.training_uri} (${e.training_examples} clips of ${e.training_plays} plays)`);
          ctx.print(`validation: ${e.validation_uri} (${e.validation_examples} clips of ${e.validation_plays} plays)`);
          if (options.out) {
            const dir = resolve(options.out);
            mkdirSync(dir, { recursive: true });
            writeFileSync(join(dir, 'training_data.jsonl'), result.training);
            writeFileSync(join(dir, 'validation_data.jsonl'), result.validation);
            ctx.print(`also written to ${join(dir, 'training_data.jsonl')} and ${join(dir, 'validation_data.jsonl')}`);
          }
          ctx.print(`dataset-exported ${e.event_id}${e.failed_clips ? `; ${e.failed_clips} failed clip(s) left out` : ''}`);
        }).finally(() => s3.destroy());
      },
    );
}
