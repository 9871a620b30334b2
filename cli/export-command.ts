import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { FilmroomError } from '../common/errors.ts';
import { perceptionExport, perceptionExportFormats, type PerceptionExportFormat } from '../projections/read-model/perception-exports.ts';
import type { CliContext } from './context.ts';
import { withCliPorts } from './ports.ts';

/** `filmroom export coco|mot VIDEO_ID`: a video's detections (COCO JSON) or tracks (MOT CSV), to stdout or --out. */
export function registerExportCommand(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description("Export a video's detections as COCO detection JSON (coco) or its tracks as MOT Challenge CSV (mot), of its current run")
    .argument('<format>', perceptionExportFormats.join(' or '))
    .argument('<video-id>', 'the video')
    .option('--out <path>', 'write to this file (default: stdout)')
    .option('--model <model>', 'coco: the detection model version, NAME@VERSION or NAME (default: the most complete, then newest)')
    .action(async (format: string, videoId: string, options: { out?: string; model?: string }) => {
      if (!(perceptionExportFormats as readonly string[]).includes(format))
        throw new FilmroomError('USAGE', `export takes ${perceptionExportFormats.join(' or ')} (got '${format}')`);
      await withCliPorts(ctx.config(), 'filmroom-export', async ({ readModel }) => {
        const body = await perceptionExport(readModel, videoId, format as PerceptionExportFormat, options.model === undefined ? {} : { model: options.model });
        if (!options.out) return void process.stdout.write(body);
        try {
          await writeFile(options.out, body);
        } catch (error) {
          throw new FilmroomError('USAGE', `--out ${options.out}: cannot write there (${(error as NodeJS.ErrnoException).code})`);
        }
        ctx.print(`wrote ${format} export of ${videoId} to ${options.out}`);
      });
    });
}
