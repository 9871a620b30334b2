import { param, type ClickHouse } from '../clickhouse-client.ts';

/** A sampled frame of a video's current run, with its picture size and the batch artifact that stores it. */
export interface VideoFrameRow {
  batch_index: number;
  frame_index: number;
  timestamp_s: number;
  width: number;
  height: number;
  artifact_uri: string;
}

/** A tracklet's point, as track_points holds it. */
export interface TrackPointRow {
  batch_index: number;
  tracklet: number;
  frame_index: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}

const currentRunOf = `run_id = (SELECT any(run_id) FROM videos FINAL WHERE video_id = ${param('video_id')})`;

export const videoFrames = (client: ClickHouse, videoId: string) =>
  client.select<VideoFrameRow>(
    `SELECT batch_index, frame_index, timestamp_s, width, height, artifact_uri FROM batches FINAL
     ARRAY JOIN frame_indices AS frame_index, timestamps_s AS timestamp_s
     WHERE video_id = ${param('video_id')} AND ${currentRunOf} ORDER BY batch_index, frame_index`,
    { video_id: videoId },
  );

export const trackPoints = (client: ClickHouse, videoId: string, trackerVersion: string) =>
  client.select<TrackPointRow>(
    `SELECT batch_index, tracklet, frame_index, x1, y1, x2, y2, score FROM track_points FINAL
     WHERE video_id = ${param('video_id')} AND ${currentRunOf} AND tracker_version = ${param('tracker_version')}
     ORDER BY batch_index, tracklet, frame_index`,
    { video_id: videoId, tracker_version: trackerVersion },
  );
