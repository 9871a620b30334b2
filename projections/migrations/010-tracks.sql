-- Tracks: batch-tracked events carry each batch's tracklets (person and ball detections linked
-- across the batch's frames). A video's tracks are its tracklets linked across adjacent batches
-- when read (processors/track/core/link-tracklets.ts), so the tables hold per-batch facts only and
-- never depend on the order batches were tracked in. The tracker version is in every key: a new
-- tracker's tracklets sit beside the old ones instead of mixing with them.

CREATE TABLE IF NOT EXISTS tracked_batches (
  video_id String,
  run_id String DEFAULT '',
  tracker_version String,
  batch_index UInt32,
  batch_count UInt32,
  tracklets UInt32,
  model_name String,
  model_version String,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, tracker_version, batch_index);

CREATE TABLE IF NOT EXISTS tracklets (
  video_id String,
  run_id String DEFAULT '',
  tracker_version String,
  batch_index UInt32,
  tracklet UInt32,
  class_id Int32,
  class_name String,
  first_frame UInt32,
  last_frame UInt32,
  first_timestamp_s Float64,
  last_timestamp_s Float64,
  first_x1 Float32,
  first_y1 Float32,
  first_x2 Float32,
  first_y2 Float32,
  last_x1 Float32,
  last_y1 Float32,
  last_x2 Float32,
  last_y2 Float32,
  velocity_cx Float64,
  velocity_cy Float64,
  velocity_w Float64,
  velocity_h Float64,
  frames UInt32,
  score_sum Float64,
  model_name String,
  model_version String,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, tracker_version, batch_index, tracklet);

CREATE TABLE IF NOT EXISTS track_points (
  video_id String,
  run_id String DEFAULT '',
  tracker_version String,
  batch_index UInt32,
  tracklet UInt32,
  frame_index UInt32,
  timestamp_s Float64,
  x1 Float32,
  y1 Float32,
  x2 Float32,
  y2 Float32,
  score Float32,
  class_id Int32,
  class_name String,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, tracker_version, batch_index, tracklet, frame_index);
