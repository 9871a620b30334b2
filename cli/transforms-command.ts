import type { Command } from 'commander';
import { checkVideoId } from '../processors/ingest/video-ingested.ts';
import type { TransformRow } from '../projections/read-model/transforms.ts';
import type { CliContext } from './context.ts';
import { withCliPorts } from './ports.ts';

/** One line per transform: what ran, how far, and where the stitched video is. */
export function transformLine(row: TransformRow): string {
  const head = `${row.transform_name}@${row.transform_version} (${row.adapter}): ${row.batches_transformed}/${row.batch_count} batches, ${row.state}`;
  if (!row.video) return head;
  const v = row.video;
  return `${head}: ${v.uri} ${v.frames} frames ${v.width}x${v.height} at ${v.fps} fps${v.has_audio ? ' with audio' : ''}, sha256 ${v.sha256}, contact sheet ${v.contact_sheet_uri}`;
}

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
