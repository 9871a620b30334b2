-- Work a stage is retrying itself after a transient error (work-retrying): one row per failed attempt.
-- The work (video, run, stage, batch) reads as retrying while its latest attempt row is newer than its
-- latest result and its latest failure; batch -1 is work not tied to a batch (extraction of a video).
-- Every statement can run twice.

CREATE TABLE IF NOT EXISTS retrying_work (
  video_id String,
  run_id String,
  stage String,
  batch_index Int32,
  attempt UInt32,
  max_attempts UInt32,
  retry_at_ms UInt64,
  error_code String,
  message String,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, stage, batch_index, attempt);
