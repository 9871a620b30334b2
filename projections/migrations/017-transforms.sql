-- Frame transforms: batch-transformed says one batch's frames went through a transform (a model
-- mapping frames to frames) and where the transformed frames are; video-transformed says a video's
-- transformed frames are stitched into an MP4. The transform's name and version are in every key:
-- a new version's results sit beside the old ones, as check versions do.

CREATE TABLE IF NOT EXISTS transformed_batches (
  video_id String,
  run_id String DEFAULT '',
  transform_name String,
  transform_version String,
  batch_index UInt32,
  batch_count UInt32,
  adapter String,
  frames_uri String,
  frames UInt32,
  width UInt32,
  height UInt32,
  model_width UInt32,
  model_height UInt32,
  progress_reports UInt32,
  transform_ms Float64,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, transform_name, transform_version, batch_index);

CREATE TABLE IF NOT EXISTS transformed_videos (
  video_id String,
  run_id String DEFAULT '',
  transform_name String,
  transform_version String,
  video_uri String,
  video_sha256 String,
  fps Float64,
  has_audio UInt8,
  contact_sheet_uri String,
  thumbnail_uris Array(String),
  frames UInt32,
  batches UInt32,
  width UInt32,
  height UInt32,
  stitch_ms Float64,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, transform_name, transform_version);
