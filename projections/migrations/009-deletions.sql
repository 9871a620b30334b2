-- Deleted videos (`filmroom delete`, DELETE /v1/videos/:id): one row per carried-out deletion, written
-- by the purger (projections/purge.ts) once the video's objects are gone (video-purged) and its rows
-- removed. Rows are removed physically (ALTER TABLE … DELETE, mutations) from every table with
-- video_id and occurred_at, up to the requested second; after `projections rebuild` the deletions
-- recorded here are applied again, so a deletion outlives replays while a later re-ingest stays.
-- Every statement can run twice.

CREATE TABLE IF NOT EXISTS deletions (
  video_id String,
  deleted_event_id String,
  requested_at DateTime,
  requested_at_ms UInt64,
  requested_by String,
  object_buckets Array(String),
  object_counts Array(UInt64),
  objects_removed UInt64,
  row_tables Array(String),
  row_counts Array(UInt64),
  rows_removed UInt64,
  purged_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, deleted_event_id);
