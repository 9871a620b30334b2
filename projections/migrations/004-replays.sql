-- Operator replays (POST /v1/replays, `filmroom replay checks`): one row per request and one per
-- completion, deduplicated like the base tables. Progress between the two is read live from the
-- replay's consumer group offsets against `target_partitions`/`target_offsets`.

CREATE TABLE IF NOT EXISTS replays (
  replay_id String,
  event_id String,
  check_version String,
  from_timestamp Nullable(DateTime),
  video_prefix String,
  target_partitions Array(UInt32),
  target_offsets Array(UInt64),
  requested_by String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY replay_id;

CREATE TABLE IF NOT EXISTS replay_completions (
  replay_id String,
  event_id String,
  check_version String,
  batches_replayed UInt64,
  error String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY replay_id;
