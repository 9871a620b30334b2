import { stamp, type RowBuilders } from './rows-helpers.ts';

/** Transform results: one row per transformed batch and one per stitched video, keyed by the transform's name and version. */
export const transformRows: RowBuilders<'batch-transformed' | 'video-transformed'> = {
  'batch-transformed': (t) => [
    {
      table: 'transformed_batches',
      row: {
        video_id: t.video_id,
        run_id: t.run_id,
        transform_name: t.transform.name,
        transform_version: t.transform.version,
        batch_index: t.batch_index,
        batch_count: t.batch_count,
        adapter: t.adapter,
        frames_uri: t.frames_uri,
        frames: t.frame_indices.length,
        width: t.width,
        height: t.height,
        model_width: t.model_width,
        model_height: t.model_height,
        progress_reports: t.progress_reports,
        transform_ms: t.transform_ms,
        ...stamp(t),
      },
    },
  ],
  'video-transformed': (v) => [
    {
      table: 'transformed_videos',
      row: {
        video_id: v.video_id,
        run_id: v.run_id,
        transform_name: v.transform.name,
        transform_version: v.transform.version,
        video_uri: v.video_uri,
        video_sha256: v.video_sha256,
        fps: v.fps,
        has_audio: v.has_audio ? 1 : 0,
        contact_sheet_uri: v.contact_sheet_uri,
        thumbnail_uris: v.thumbnails.map((t) => t.uri),
        frames: v.frames,
        batches: v.batches,
        width: v.width,
        height: v.height,
        stitch_ms: v.stitch_ms,
        ...stamp(v),
      },
    },
  ],
};
