-- Scene cuts: batch-scene-scored events carry each sampled frame's colour-histogram change from
-- the frame before, and each batch's first and last histograms. A batch's first frame is scored
-- against the previous batch's last when read, and cuts are scores over a scene version's
-- threshold (processors/scenes/core), so these tables hold per-batch facts only. The scorer
-- version is in every key: a new scorer's scores sit beside the old ones.

CREATE TABLE IF NOT EXISTS scene_batches (
  video_id String,
  run_id String DEFAULT '',
  scorer_version String,
  batch_index UInt32,
  batch_count UInt32,
  frames UInt32,
  first_histogram Array(Float32),
  last_histogram Array(Float32),
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, scorer_version, batch_index);

CREATE TABLE IF NOT EXISTS scene_scores (
  video_id String,
  run_id String DEFAULT '',
  scorer_version String,
  batch_index UInt32,
  frame_index UInt32,
  timestamp_s Float64,
  score Nullable(Float64),
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, scorer_version, batch_index, frame_index);
