-- Runs: a video's results are per run (attempt), named by the run_id every pipeline event now
-- carries (a digest of source content, options and extractor version). A re-ingest with another
-- source or other options is a new run that supersedes the old one: its rows sit beside the old
-- run's (kept as history) instead of replacing them, and the views count the current run only (the
-- latest ingestion's, in `videos`). So the per-batch tables get the run into their sorting key:
-- each is copied into a new table with the run in its key, then swapped in by name. Rows from
-- before runs existed get run '' (their events carry no run; old events replay the same way).
-- The migration runner records each statement, so an interrupted copy resumes where it stopped.

CREATE TABLE IF NOT EXISTS batches_by_run (
  video_id String,
  run_id String DEFAULT '',
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
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, batch_index);

INSERT INTO batches_by_run (video_id, batch_index, batch_count, event_id, frame_start, frame_end, frames, frame_indices, timestamps_s, artifact_uri, source_uri, duration_s, fps, width, height, codec, frame_count, session_keys, session_values, extractor_version, occurred_at, version) SELECT video_id, batch_index, batch_count, event_id, frame_start, frame_end, frames, frame_indices, timestamps_s, artifact_uri, source_uri, duration_s, fps, width, height, codec, frame_count, session_keys, session_values, extractor_version, occurred_at, version FROM batches;

DROP TABLE batches;

RENAME TABLE batches_by_run TO batches;

CREATE TABLE IF NOT EXISTS detected_batches_by_run (
  video_id String,
  run_id String DEFAULT '',
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
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, batch_index);

INSERT INTO detected_batches_by_run (video_id, batch_index, batch_count, event_id, frames, detections, model_name, model_version, inference_ms, occurred_at, version) SELECT video_id, batch_index, batch_count, event_id, frames, detections, model_name, model_version, inference_ms, occurred_at, version FROM detected_batches;

DROP TABLE detected_batches;

RENAME TABLE detected_batches_by_run TO detected_batches;

CREATE TABLE IF NOT EXISTS detections_by_run (
  video_id String,
  run_id String DEFAULT '',
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
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, batch_index, frame_index, detection_index);

INSERT INTO detections_by_run (video_id, batch_index, frame_index, detection_index, timestamp_s, x1, y1, x2, y2, class_id, class_name, score, model_name, model_version, event_id, occurred_at, version) SELECT video_id, batch_index, frame_index, detection_index, timestamp_s, x1, y1, x2, y2, class_id, class_name, score, model_name, model_version, event_id, occurred_at, version FROM detections;

DROP TABLE detections;

RENAME TABLE detections_by_run TO detections;

CREATE TABLE IF NOT EXISTS ocr_batches_by_run (
  video_id String,
  run_id String DEFAULT '',
  batch_index UInt32,
  batch_count UInt32,
  event_id String,
  texts UInt32,
  regions_evaluated UInt32,
  model_name String,
  model_version String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, batch_index);

INSERT INTO ocr_batches_by_run (video_id, batch_index, batch_count, event_id, texts, regions_evaluated, model_name, model_version, occurred_at, version) SELECT video_id, batch_index, batch_count, event_id, texts, regions_evaluated, model_name, model_version, occurred_at, version FROM ocr_batches;

DROP TABLE ocr_batches;

RENAME TABLE ocr_batches_by_run TO ocr_batches;

CREATE TABLE IF NOT EXISTS ocr_texts_by_run (
  video_id String,
  run_id String DEFAULT '',
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
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, batch_index, text_index);

INSERT INTO ocr_texts_by_run (video_id, batch_index, text_index, frame_index, x1, y1, x2, y2, text, confidence, model_name, model_version, event_id, occurred_at, version) SELECT video_id, batch_index, text_index, frame_index, x1, y1, x2, y2, text, confidence, model_name, model_version, event_id, occurred_at, version FROM ocr_texts;

DROP TABLE ocr_texts;

RENAME TABLE ocr_texts_by_run TO ocr_texts;

CREATE TABLE IF NOT EXISTS check_results_by_run (
  video_id String,
  run_id String DEFAULT '',
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
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, check_version, check_name, batch_index);

INSERT INTO check_results_by_run (video_id, batch_index, check_name, check_version, batch_count, frames_evaluated, measure_names, measure_values, event_id, occurred_at, version) SELECT video_id, batch_index, check_name, check_version, batch_count, frames_evaluated, measure_names, measure_values, event_id, occurred_at, version FROM check_results;

DROP TABLE check_results;

RENAME TABLE check_results_by_run TO check_results;

CREATE TABLE IF NOT EXISTS renders_by_run (
  video_id String,
  run_id String DEFAULT '',
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
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id);

INSERT INTO renders_by_run (video_id, event_id, preview_uri, contact_sheet_uri, thumbnail_uris, thumbnail_timestamps_s, frames, batches, width, height, detections, texts, occurred_at, version) SELECT video_id, event_id, preview_uri, contact_sheet_uri, thumbnail_uris, thumbnail_timestamps_s, frames, batches, width, height, detections, texts, occurred_at, version FROM renders;

DROP TABLE renders;

RENAME TABLE renders_by_run TO renders;

CREATE TABLE IF NOT EXISTS extracted_videos_by_run (
  video_id String,
  run_id String DEFAULT '',
  batch_count UInt32,
  duration_s Float64,
  fps Float64,
  width UInt32,
  height UInt32,
  codec String,
  pix_fmt String,
  bit_rate Nullable(UInt64),
  frame_count Nullable(UInt64),
  session_keys Array(String),
  session_values Array(String),
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id);

INSERT INTO extracted_videos_by_run (video_id, batch_count, duration_s, fps, width, height, codec, pix_fmt, bit_rate, frame_count, session_keys, session_values, event_id, occurred_at, version) SELECT video_id, batch_count, duration_s, fps, width, height, codec, pix_fmt, bit_rate, frame_count, session_keys, session_values, event_id, occurred_at, version FROM extracted_videos;

DROP TABLE extracted_videos;

RENAME TABLE extracted_videos_by_run TO extracted_videos;

-- videos keeps one row per video, the latest ingestion: its run is the video's current run.
ALTER TABLE videos ADD COLUMN run_id String DEFAULT '' AFTER video_id;

ALTER TABLE videos ADD COLUMN source_fingerprint String DEFAULT '' AFTER source_uri;

-- Every run of every video, superseded ones included: the history.
CREATE TABLE IF NOT EXISTS runs (
  video_id String,
  run_id String,
  source_uri String,
  source_fingerprint String,
  sample_fps Nullable(Float64),
  sample_stride Nullable(UInt32),
  batch_size UInt32,
  stages Array(String),
  uploader String,
  ingested_at DateTime,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id);

INSERT INTO runs SELECT video_id, '', source_uri, '', sample_fps, sample_stride, batch_size, stages, uploader, ingested_at, event_id, occurred_at, version FROM videos FINAL;

-- A failure belongs to a run; its input (the raw record, base64) is kept so a retry can send it again.
ALTER TABLE failures ADD COLUMN run_id String DEFAULT '' AFTER video_id;

ALTER TABLE failures ADD COLUMN payload String DEFAULT '';

-- Retries of failed work (filmroom retry): one row per retried (stage, batch); batch -1 is the whole video.
CREATE TABLE IF NOT EXISTS retries (
  video_id String,
  run_id String,
  stage String,
  batch_index Int32,
  mode String,
  requested_at_ms UInt64,
  requested_by String,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, stage, batch_index, event_id);

-- job_status is defined in projections/views/job_status.sql: `migrate` creates it from there.

-- manifests, over each video's current run: its check results, its extracted metadata and its
-- unresolved failures (the `error` column; a truncated source is named there). `complete` needs
-- every batch checked by every enabled check and no failed extraction.

DROP TABLE IF EXISTS manifests;

CREATE VIEW IF NOT EXISTS manifests AS
SELECT
  video_id,
  run_id,
  check_version,
  source_uri,
  replaceRegexpOne(source_uri, '^[a-z0-9]+://[^/]*/', '') AS s3_key,
  ingested_at,
  if(empty(batch_session_keys), ingest_session_keys, batch_session_keys) AS session_keys,
  if(empty(batch_session_keys), ingest_session_values, batch_session_values) AS session_values,
  codec,
  pix_fmt,
  bit_rate,
  duration_s,
  fps,
  width,
  height,
  frame_count,
  dark_evaluated AS frames_evaluated,
  if(dark_evaluated = 0, 0, dark_frames / dark_evaluated) AS dark_fraction,
  toUInt8(dark_fraction >= mostly_dark_ratio AND dark_evaluated > 0) AS is_video_mostly_dark,
  if(letterbox_evaluated = 0, 0, letterbox_frames / letterbox_evaluated) AS letterbox_fraction,
  content_ratio,
  toUInt8(letterbox_fraction >= dpi_scale_issue_ratio AND letterbox_evaluated > 0) AS is_dpi_scale_issue,
  if(menu_evaluated = 0, 0, round(100 * menu_frames / menu_evaluated, 2)) AS video_menu_percent,
  toUInt8(video_menu_percent / 100 >= mostly_menu_ratio AND menu_evaluated > 0) AS is_video_mostly_menu,
  if(frozen_evaluated = 0, 0, frozen_frames / frozen_evaluated) AS frozen_fraction,
  longest_frozen_run,
  if(blur_evaluated = 0, 0, blurry_frames / blur_evaluated) AS blurry_fraction,
  laplacian_variance_mean,
  batches_checked,
  greatest(checked_batch_count, extracted_batch_count) AS batches_total,
  toUInt8(result_count > 0 AND batches_total > 0 AND result_count >= batches_total * length(enabled_checks) AND extract_failures = 0) AS complete,
  error
FROM
(
  SELECT *
  FROM
  (
    SELECT *
    FROM
    (
      SELECT *
      FROM
      (
        SELECT video_id, run_id, source_uri, ingested_at, session_keys AS ingest_session_keys, session_values AS ingest_session_values
        FROM videos FINAL
      ) AS current_run
      -- ALL: a row per check version; a video without results keeps one row with defaults.
      ALL LEFT JOIN
      (
        SELECT
          video_id,
          check_version,
          count() AS result_count,
          uniqExact(batch_index) AS batches_checked,
          max(batch_count) AS checked_batch_count,
          sumIf(measure_values[indexOf(measure_names, 'dark_frames')], check_name = 'dark') AS dark_frames,
          sumIf(frames_evaluated, check_name = 'dark') AS dark_evaluated,
          sumIf(measure_values[indexOf(measure_names, 'letterbox_frames')], check_name = 'letterbox') AS letterbox_frames,
          sumIf(frames_evaluated, check_name = 'letterbox') AS letterbox_evaluated,
          avgIf(measure_values[indexOf(measure_names, 'content_ratio_mean')], check_name = 'letterbox') AS content_ratio,
          sumIf(measure_values[indexOf(measure_names, 'menu_frames')], check_name = 'menu') AS menu_frames,
          sumIf(frames_evaluated, check_name = 'menu') AS menu_evaluated,
          sumIf(measure_values[indexOf(measure_names, 'frozen_frames')], check_name = 'frozen') AS frozen_frames,
          sumIf(frames_evaluated, check_name = 'frozen') AS frozen_evaluated,
          maxIf(measure_values[indexOf(measure_names, 'longest_frozen_run')], check_name = 'frozen') AS longest_frozen_run,
          sumIf(measure_values[indexOf(measure_names, 'blurry_frames')], check_name = 'blur') AS blurry_frames,
          sumIf(frames_evaluated, check_name = 'blur') AS blur_evaluated,
          avgIf(measure_values[indexOf(measure_names, 'laplacian_variance_mean')], check_name = 'blur') AS laplacian_variance_mean
        FROM check_results FINAL
        WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
        GROUP BY video_id, check_version
      ) AS checked_per_version USING video_id
    ) AS with_checks
    ANY LEFT JOIN
    (
      SELECT check_version, enabled_checks, mostly_dark_ratio, dpi_scale_issue_ratio, mostly_menu_ratio
      FROM check_versions FINAL
    ) AS versions USING check_version
  ) AS with_versions
  ANY LEFT JOIN
  (
    SELECT video_id, batch_count AS extracted_batch_count, duration_s, fps, width, height, codec, pix_fmt, bit_rate, frame_count,
      session_keys AS batch_session_keys, session_values AS batch_session_values
    FROM extracted_videos FINAL
    WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
  ) AS extracted_per_video USING video_id
) AS with_extracted
ANY LEFT JOIN
(
  SELECT video_id, argMax(message, occurred_at) AS error, uniqExactIf(ifNull(batch_index, -1), stage = 'extract') AS extract_failures
  FROM failures FINAL
  WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
    AND (video_id, run_id, stage, ifNull(batch_index, -1)) NOT IN (
      SELECT video_id, run_id, 'detect', toInt32(batch_index) FROM detected_batches
      UNION ALL SELECT video_id, run_id, 'ocr', toInt32(batch_index) FROM ocr_batches
      UNION ALL SELECT video_id, run_id, 'checks', toInt32(batch_index) FROM check_results
    )
    AND NOT (stage = 'render' AND (video_id, run_id) IN (SELECT video_id, run_id FROM renders))
  GROUP BY video_id
) AS failed_per_video USING video_id;
