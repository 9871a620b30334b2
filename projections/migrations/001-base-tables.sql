-- Base tables: one row per event (or per detection/text), deduplicated by ReplacingMergeTree on the
-- natural key, keeping the highest `version` (the event's occurred_at in ms). A redelivered event
-- collapses into its earlier copy; read with FINAL (or count distinct keys) for exact figures.
-- Written for ClickHouse 18.16 and current releases alike: no Map, no LowCardinality, no DateTime64.

CREATE TABLE IF NOT EXISTS videos (
  video_id String,
  event_id String,
  source_uri String,
  container String,
  session_keys Array(String),
  session_values Array(String),
  sample_fps Nullable(Float64),
  sample_stride Nullable(UInt32),
  batch_size UInt32,
  stages Array(String),
  uploader String,
  ingested_at DateTime,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY video_id;

CREATE TABLE IF NOT EXISTS batches (
  video_id String,
  batch_index UInt32,
  batch_count UInt32,
  event_id String,
  frame_start UInt32,
  frame_end UInt32,
  frames UInt32,
  frame_indices Array(UInt32),
  timestamps_s Array(Float64),
  artifact_uri String,
  source_uri String,
  duration_s Float64,
  fps Float64,
  width UInt32,
  height UInt32,
  codec String,
  frame_count Nullable(UInt64),
  session_keys Array(String),
  session_values Array(String),
  extractor_version String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, batch_index);

CREATE TABLE IF NOT EXISTS detected_batches (
  video_id String,
  batch_index UInt32,
  batch_count UInt32,
  event_id String,
  frames UInt32,
  detections UInt32,
  model_name String,
  model_version String,
  inference_ms Float64,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, batch_index);

CREATE TABLE IF NOT EXISTS detections (
  video_id String,
  batch_index UInt32,
  frame_index UInt32,
  detection_index UInt32,
  timestamp_s Float64,
  x1 Float32,
  y1 Float32,
  x2 Float32,
  y2 Float32,
  class_id Int32,
  class_name String,
  score Float32,
  model_name String,
  model_version String,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, batch_index, frame_index, detection_index);

CREATE TABLE IF NOT EXISTS ocr_batches (
  video_id String,
  batch_index UInt32,
  batch_count UInt32,
  event_id String,
  texts UInt32,
  regions_evaluated UInt32,
  model_name String,
  model_version String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, batch_index);

CREATE TABLE IF NOT EXISTS ocr_texts (
  video_id String,
  batch_index UInt32,
  text_index UInt32,
  frame_index UInt32,
  x1 Float32,
  y1 Float32,
  x2 Float32,
  y2 Float32,
  text String,
  confidence Float32,
  model_name String,
  model_version String,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, batch_index, text_index);

CREATE TABLE IF NOT EXISTS check_results (
  video_id String,
  batch_index UInt32,
  check_name String,
  check_version String,
  batch_count UInt32,
  frames_evaluated UInt32,
  measure_names Array(String),
  measure_values Array(Float64),
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, check_version, check_name, batch_index);

CREATE TABLE IF NOT EXISTS failures (
  event_id String,
  stage String,
  video_id String,
  batch_index Nullable(Int32),
  error_class String,
  error_code String,
  message String,
  source_topic String,
  source_partition Int32,
  source_offset Int64,
  source_key String,
  attempts UInt32,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, event_id);

-- The video-level cut-offs of each check version (written from processors/checks/check-versions.ts at start-up).
CREATE TABLE IF NOT EXISTS check_versions (
  check_version String,
  description String,
  enabled_checks Array(String),
  mostly_dark_ratio Float64,
  dpi_scale_issue_ratio Float64,
  mostly_menu_ratio Float64,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY check_version;
