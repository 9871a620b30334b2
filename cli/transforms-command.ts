import type { Command } from 'commander';
import { checkVideoId } from '../processors/ingest/video-ingested.ts';
import { transformLine } from '../projections/read-model/transforms.ts';
import type { CliContext } from './context.ts';
import { withCliPorts } from './ports.ts';

export function registerTransformsCommand(program: Command, ctx: CliContext): void {
  program
    .command('transforms')
    .argument('<video-id>', 'the video id')
    .description("Show a video's frame transforms (docs/transforms.md): batches transformed and the stitched MP4, per transform name and version")
    .option('--json', 'print the rows as JSON', false)
    .action(async (videoId: string, options: { json: boolean }) => {
      checkVideoId(videoId);
      await withCliPorts(ctx.config(), 'filmroom-transforms', async ({ readModel }) => {
        const rows = await readModel.videoTransforms(videoId);
        if (options.json) return ctx.print(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return ctx.print(`no transforms for video ${videoId} (ingest it with --transform NAME)`);
        for (const row of rows) ctx.print(transformLine(row));
      });
    });
}
