-- Manifests the two-stage pipeline's users can read: one row per ingested video and check
-- version it has results for, and one row (check_version '') for a video with no results at all
-- (a failed one, with its error), so that every ingested video has a row. The source key is a
-- column (s3_key, as the old manifest had); session metadata comes from the batches (ingestion
-- merged with the TAR bundle's JSON) and falls back to the ingestion's; the ffprobe metadata the
-- old ExtractedData carried is in it. 18.16 has no ALTER ... ADD COLUMN IF NOT EXISTS, so the
-- new ffprobe fields (pixel format, bitrate) get a table of their own rather than columns on
-- batches: every statement here can run again.

-- One row per extracted video, written from each of its batch-extracted events (they all carry
-- the same video and session metadata; the latest wins).
CREATE TABLE IF NOT EXISTS extracted_videos (
  video_id String,
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
) ENGINE = ReplacingMergeTree(version) ORDER BY video_id;

-- Videos projected before this migration: from their batches (running it again changes nothing).
INSERT INTO extracted_videos
SELECT video_id, argMax(batch_count, version), argMax(duration_s, version), argMax(fps, version), argMax(width, version), argMax(height, version),
  argMax(codec, version), '', NULL, argMax(frame_count, version), argMax(session_keys, version), argMax(session_values, version),
  argMax(event_id, version), argMax(occurred_at, version), max(version)
FROM batches FINAL GROUP BY video_id;

-- Views hold no data: the old one is replaced.

DROP TABLE IF EXISTS manifests;

CREATE VIEW IF NOT EXISTS manifests AS
SELECT
  video_id,
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
  toUInt8(result_count > 0 AND batches_total > 0 AND result_count >= batches_total * length(enabled_checks)) AS complete,
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
        SELECT video_id, source_uri, ingested_at, session_keys AS ingest_session_keys, session_values AS ingest_session_values
        FROM videos FINAL
      ) AS left_1
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
        GROUP BY video_id, check_version
      ) AS right_2 USING video_id
    ) AS left_3
    ANY LEFT JOIN
    (
      SELECT check_version, enabled_checks, mostly_dark_ratio, dpi_scale_issue_ratio, mostly_menu_ratio
      FROM check_versions FINAL
    ) AS right_4 USING check_version
  ) AS left_5
  ANY LEFT JOIN
  (
    SELECT video_id, batch_count AS extracted_batch_count, duration_s, fps, width, height, codec, pix_fmt, bit_rate, frame_count,
      session_keys AS batch_session_keys, session_values AS batch_session_values
    FROM extracted_videos FINAL
  ) AS right_6 USING video_id
) AS left_7
ANY LEFT JOIN
(
  SELECT video_id, argMax(message, occurred_at) AS error FROM failures GROUP BY video_id
) AS right_8 USING video_id;
