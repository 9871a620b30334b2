-- manifests, materialised: one row per video (its current run), the columns of the
-- manifests_computed view (projections/views/manifests_computed.sql), one array element per check
-- version. The projectors write it like job_status_latest (migration 014): after each insert into a
-- table the computation reads they recompute the videos they touched (projections/stored-read-rows.ts),
-- so a manifest read is one row of one table; the manifests view (projections/views/manifests.sql)
-- reads it back, a row per check version, with the check versions' cut-offs added. `refreshed_ms`
-- orders the recomputations: the latest started after every insert acknowledged before it. One row
-- per video, replaced whole, so a check version a later recomputation no longer has (a re-ingest,
-- the placeholder '' once results came) leaves nothing behind.

CREATE TABLE IF NOT EXISTS manifests_latest (
  video_id String,
  run_id String,
  source_uri String,
  s3_key String,
  ingested_at DateTime,
  session_keys Array(String),
  session_values Array(String),
  codec String,
  pix_fmt String,
  bit_rate Nullable(UInt64),
  duration_s Float64,
  fps Float64,
  width UInt32,
  height UInt32,
  frame_count Nullable(UInt64),
  extract_failures UInt64,
  error String,
  versions Array(String),
  result_count_per_version Array(UInt64),
  frames_evaluated_per_version Array(UInt64),
  dark_fraction_per_version Array(Float64),
  letterbox_evaluated_per_version Array(UInt64),
  letterbox_fraction_per_version Array(Float64),
  content_ratio_per_version Array(Float64),
  menu_evaluated_per_version Array(UInt64),
  video_menu_percent_per_version Array(Float64),
  frozen_fraction_per_version Array(Float64),
  longest_frozen_run_per_version Array(Float64),
  blurry_fraction_per_version Array(Float64),
  laplacian_variance_mean_per_version Array(Float64),
  batches_checked_per_version Array(UInt64),
  batches_total_per_version Array(UInt32),
  refreshed_ms UInt64
) ENGINE = ReplacingMergeTree(refreshed_ms) ORDER BY video_id SETTINGS index_granularity = 256;
