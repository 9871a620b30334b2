import { param, type ClickHouse } from '../clickhouse-client.ts';

/** One transform (name and version) of a video's current run as the API presents it: batches done, then the stitched video. */
export interface TransformRow {
  transform_name: string;
  transform_version: string;
  adapter: string;
  batches_transformed: number;
  batch_count: number;
  /** Model time over all transformed batches, in milliseconds. */
  transform_ms: number;
  progress_reports: number;
  /** `transforming` until every batch is done and the video is stitched, then `stitched`. */
  state: 'transforming' | 'stitched';
  video: {
    uri: string;
    sha256: string;
    fps: number;
    has_audio: boolean;
    frames: number;
    width: number;
    height: number;
    contact_sheet_uri: string;
    thumbnail_uris: string[];
    stitch_ms: number;
  } | null;
}

/** One line per transform (`filmroom transforms`): what ran, how far, and where the stitched video is. */
export function transformLine(row: TransformRow): string {
  const head = `${row.transform_name}@${row.transform_version} (${row.adapter}): ${row.batches_transformed}/${row.batch_count} batches, ${row.state}`;
  if (!row.video) return head;
  const v = row.video;
  return `${head}: ${v.uri} ${v.frames} frames ${v.width}x${v.height} at ${v.fps} fps${v.has_audio ? ' with audio' : ''}, sha256 ${v.sha256}, contact sheet ${v.contact_sheet_uri}`;
}

const currentRunOf = `run_id = (SELECT any(run_id) FROM videos FINAL WHERE video_id = ${param('video_id')})`;

interface BatchSums {
  transform_name: string;
  transform_version: string;
  adapter: string;
  batches: string | number;
  batch_count: string | number;
  transform_ms: string | number;
  progress_reports: string | number;
}

interface VideoRowOf {
  transform_name: string;
  transform_version: string;
  video_uri: string;
  video_sha256: string;
  fps: number;
  has_audio: number;
  frames: number;
  width: number;
  height: number;
  contact_sheet_uri: string;
  thumbnail_uris: string[];
  stitch_ms: number;
}

/** Joins a transform's batch sums with its stitched video (when there is one). */
export function transformRowOf(sums: BatchSums, video: VideoRowOf | undefined): TransformRow {
  return {
    transform_name: sums.transform_name,
    transform_version: sums.transform_version,
    adapter: sums.adapter,
    batches_transformed: Number(sums.batches),
    batch_count: Number(sums.batch_count),
    transform_ms: Math.round(Number(sums.transform_ms) * 1000) / 1000,
    progress_reports: Number(sums.progress_reports),
    state: video ? 'stitched' : 'transforming',
    video: video
      ? {
          uri: video.video_uri,
          sha256: video.video_sha256,
          fps: Number(video.fps),
          has_audio: Number(video.has_audio) === 1,
          frames: Number(video.frames),
          width: Number(video.width),
          height: Number(video.height),
          contact_sheet_uri: video.contact_sheet_uri,
          thumbnail_uris: video.thumbnail_uris,
          stitch_ms: Number(video.stitch_ms),
        }
      : null,
  };
}

/** The transforms of a video's current run, by name then version. */
export async function videoTransforms(client: ClickHouse, videoId: string): Promise<TransformRow[]> {
  const where = `video_id = ${param('video_id')} AND ${currentRunOf}`;
  const sums = await client.select<BatchSums>(
    `SELECT transform_name, transform_version, any(adapter) AS adapter, count() AS batches, max(batch_count) AS batch_count,
            sum(transform_ms) AS transform_ms, sum(progress_reports) AS progress_reports
     FROM transformed_batches FINAL WHERE ${where}
     GROUP BY transform_name, transform_version ORDER BY transform_name, transform_version`,
    { video_id: videoId },
  );
  const videos = await client.select<VideoRowOf>(
    `SELECT transform_name, transform_version, video_uri, video_sha256, fps, has_audio, frames, width, height, contact_sheet_uri, thumbnail_uris, stitch_ms
     FROM transformed_videos FINAL WHERE ${where}`,
    { video_id: videoId },
  );
  const key = (r: { transform_name: string; transform_version: string }) => `${r.transform_name}@${r.transform_version}`;
  const byKey = new Map(videos.map((v) => [key(v), v]));
  return sums.map((s) => transformRowOf(s, byKey.get(key(s))));
}
