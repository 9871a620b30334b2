-- The manifests computed from the projected events, one row per video (its current run) with one
-- array element per check version it has results for (one element, check version '', for a video
-- with no results at all, so that every ingested video has a row): what the projectors store in
-- manifests_latest (projections/stored-read-rows.ts) for the videos they touch, and what the
-- manifests view reads back, one row per element, with the check versions' cut-offs added (the
-- columns that depend on check_versions are computed there, so a cut-off changed in code needs no
-- recomputation). Per check version: its check results, the video's extracted metadata and its
-- unresolved failures (`error`; a truncated source is named there). `complete` (in the manifests
-- view) needs every batch checked by every enabled check and no failed extraction.
--
-- This file is a view's SELECT, not a migration: `migrate` (re)creates the view from it whenever it
-- changes (and then recomputes every stored manifest), with {video_filter} as 1; the projectors run
-- the same SELECT with {video_filter} bound to the videos they touched, so a recomputation reads
-- those videos' rows only (every table's sorting key starts with video_id). ClickHouse 18.16 takes
-- one JOIN per SELECT, hence the nesting; each side is one video's rows, so the joins stay small.

SELECT
  video_id,
  run_id,
  source_uri,
  s3_key,
  ingested_at,
  session_keys,
  session_values,
  codec,
  pix_fmt,
  bit_rate,
  duration_s,
  fps,
  width,
  height,
  frame_count,
  extract_failures,
  error,
  -- One element per check version, every array in the same order (one GROUP BY fills them all).
  groupArray(check_version) AS versions,
  groupArray(result_count) AS result_count_per_version,
  groupArray(frames_evaluated) AS frames_evaluated_per_version,
  groupArray(dark_fraction) AS dark_fraction_per_version,
  groupArray(letterbox_evaluated) AS letterbox_evaluated_per_version,
  groupArray(letterbox_fraction) AS letterbox_fraction_per_version,
  groupArray(content_ratio) AS content_ratio_per_version,
  groupArray(menu_evaluated) AS menu_evaluated_per_version,
  groupArray(video_menu_percent) AS video_menu_percent_per_version,
  groupArray(frozen_fraction) AS frozen_fraction_per_version,
  groupArray(longest_frozen_run) AS longest_frozen_run_per_version,
  groupArray(blurry_fraction) AS blurry_fraction_per_version,
  groupArray(laplacian_variance_mean) AS laplacian_variance_mean_per_version,
  groupArray(batches_checked) AS batches_checked_per_version,
  groupArray(batches_total) AS batches_total_per_version
FROM
(
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
    result_count,
    dark_evaluated AS frames_evaluated,
    if(dark_evaluated = 0, 0, dark_frames / dark_evaluated) AS dark_fraction,
    letterbox_evaluated,
    if(letterbox_evaluated = 0, 0, letterbox_frames / letterbox_evaluated) AS letterbox_fraction,
    content_ratio,
    menu_evaluated,
    if(menu_evaluated = 0, 0, round(100 * menu_frames / menu_evaluated, 2)) AS video_menu_percent,
    if(frozen_evaluated = 0, 0, frozen_frames / frozen_evaluated) AS frozen_fraction,
    longest_frozen_run,
    if(blur_evaluated = 0, 0, blurry_frames / blur_evaluated) AS blurry_fraction,
    laplacian_variance_mean,
    batches_checked,
    greatest(checked_batch_count, extracted_batch_count) AS batches_total,
    extract_failures,
    error
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
        WHERE {video_filter}
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
        WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
        GROUP BY video_id, check_version
      ) AS checked_per_version USING video_id
    ) AS with_checks
    ANY LEFT JOIN
    (
      SELECT video_id, batch_count AS extracted_batch_count, duration_s, fps, width, height, codec, pix_fmt, bit_rate, frame_count,
        session_keys AS batch_session_keys, session_values AS batch_session_values
      FROM extracted_videos FINAL
      WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
    ) AS extracted_per_video USING video_id
  ) AS with_extracted
  ANY LEFT JOIN
  (
    SELECT video_id, argMax(message, occurred_at) AS error, uniqExactIf(ifNull(batch_index, -1), stage = 'extract') AS extract_failures
    FROM failures FINAL
    WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
      AND {fragment:unresolved_failure}
    GROUP BY video_id
  ) AS failed_per_video USING video_id
)
GROUP BY video_id, run_id, source_uri, s3_key, ingested_at, session_keys, session_values, codec, pix_fmt, bit_rate, duration_s, fps, width, height,
  frame_count, extract_failures, error
