import type { Command } from 'commander';
import { FilmroomError } from '../common/errors.ts';
import { videoDeletedOf } from '../processors/delete/index.ts';
import type { DeletionRow, ReadModel } from '../projections/read-model/port.ts';
import type { CliContext } from './context.ts';
import { withCliPorts } from './ports.ts';

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

export const deletionLine = (row: DeletionRow) => `deleted ${row.video_id}: ${row.objects_removed} objects, ${row.rows_removed} rows`;

/** Waits until the purger recorded this deletion (objects gone, rows removed), saying so every 5 s. */
async function waitForDeletion(readModel: ReadModel, videoId: string, eventId: string, timeoutMs: number, print: (line: string) => void): Promise<DeletionRow> {
  const started = Date.now();
  let said = started;
  for (;;) {
    const row = await readModel.deletion(videoId, eventId);
    if (row) return row;
    const waited = Date.now() - started;
    if (waited > timeoutMs)
      throw new FilmroomError(
        'SERVICE_UNAVAILABLE',
        `deletion of ${videoId} (event ${eventId}) not carried out after ${Math.round(waited / 1000)} s: is \`filmroom run\` (with delete and projections) running? It will be carried out when it is`,
        { retriable: false },
      );
    if (Date.now() - said >= 5000) {
      print(`deleting ${videoId}: waiting for its objects and rows to be removed (${Math.round(waited / 1000)} s)`);
      said = Date.now();
    }
    await sleep(500);
  }
}

export function registerDeleteCommand(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .argument('<video-id>', 'the video to delete')
    .description(
      'Delete a video: emits video-deleted; `filmroom run` removes its uploads, artifacts, renders and clips from object storage and its rows from every projection. Idempotent: an unknown or deleted id removes nothing',
    )
    .option('--reason <text>', 'why, recorded in the event')
    .option('--no-wait', 'emit the deletion and exit, without waiting for it to be carried out')
    .option('--timeout <seconds>', 'how long to wait for the deletion to be carried out', '120')
    .action(async (videoId: string, options: { reason?: string; wait: boolean; timeout: string }) => {
      const timeoutS = Number(options.timeout);
      if (!(timeoutS > 0)) throw new FilmroomError('USAGE', `--timeout takes a number of seconds above 0 (got '${options.timeout}')`);
      // Validated before anything connects: a malformed id is a usage error.
      const event = (() => {
        try {
          return videoDeletedOf({ videoId, requestedBy: 'cli', reason: options.reason ?? null, producer: { name: 'cli', version: '0.1.0' }, now: Date.now() });
        } catch (error) {
          throw new FilmroomError('USAGE', (error as Error).message, { cause: error });
        }
      })();
      await withCliPorts(ctx.config(), 'filmroom-delete', async (ports) => {
        await (await ports.publisher(['video-deleted'])).publish([event]);
        if (!options.wait) {
          ctx.print(`deletion of ${videoId} requested (event ${event.value.event_id})`);
          return;
        }
        ctx.print(deletionLine(await waitForDeletion(ports.readModel, videoId, event.value.event_id, timeoutS * 1000, ctx.print)));
      });
    });
}
