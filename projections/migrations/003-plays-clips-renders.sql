-- Plays, clips, datasets and renders (the basketball clip pipeline and the five-stage ML pipeline's
-- outputs). Deduplicated like the base tables: ReplacingMergeTree on the natural key keeping the
-- highest `version`; read with FINAL. Written for ClickHouse 18.16 and current releases alike.

-- One row per play of a game (plays-imported). Re-importing a play replaces its row.
CREATE TABLE IF NOT EXISTS plays (
  game_id String,
  play_id String,
  event_id String,
  angle String,
  start_s Float64,
  end_s Float64,
  play_type Nullable(String),
  annotation String,
  importer String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (game_id, play_id);

-- One row per clip (play × camera): PENDING from clips-requested, then OK or FAILED from
-- clip-extracted. The version is 2 × the event time (+1 for clip-extracted), so an outcome wins over
-- the request it answers and a later request (re-import) wins over an earlier outcome.
CREATE TABLE IF NOT EXISTS clips (
  game_id String,
  clip_id String,
  event_id String,
  play_id String,
  play_angle String,
  camera String,
  video_id String,
  start_s Float64,
  end_s Float64,
  mode String,
  status String,
  clip_uri String,
  bytes UInt64,
  reused UInt8,
  error_code String,
  message String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (game_id, clip_id);

-- One row per dataset export (dataset-exported): the completion signal of a game's dataset.
CREATE TABLE IF NOT EXISTS datasets (
  game_id String,
  event_id String,
  format String,
  split Float64,
  seed Int64,
  training_uri String,
  validation_uri String,
  training_examples UInt32,
  validation_examples UInt32,
  training_plays UInt32,
  validation_plays UInt32,
  failed_clips UInt32,
  exporter String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (game_id, event_id);

-- One row per rendered video (render-done): annotated preview, contact sheet and thumbnails.
CREATE TABLE IF NOT EXISTS renders (
  video_id String,
  event_id String,
  preview_uri String,
  contact_sheet_uri String,
  thumbnail_uris Array(String),
  thumbnail_timestamps_s Array(Float64),
  frames UInt32,
  batches UInt32,
  width UInt32,
  height UInt32,
  detections UInt32,
  texts UInt32,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY video_id;
