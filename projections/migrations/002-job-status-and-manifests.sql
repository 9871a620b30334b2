-- job_status and manifests are views over the deduplicated base tables: they are derived at query
-- time, so they are always consistent with the events, redeliveries cannot double-count them, and a
-- rebuild of the base tables rebuilds them. ClickHouse 18.16 allows one JOIN per SELECT, hence
-- the nesting. Every joined subquery has an alias: current releases require one (18.16 accepts it).

CREATE VIEW IF NOT EXISTS job_status AS
SELECT
  video_id,
  source_uri,
  uploader,
  stages,
  batch_size,
  started_at,
  batches_total,
  batches_extracted,
  batches_detected,
  batches_ocr_done,
  batches_checked,
  failures,
  last_error,
  -- 18.16's greatest() takes two arguments.
  greatest(greatest(greatest(started_at, extracted_at), greatest(detected_at, ocr_at)), greatest(checked_at, failed_at)) AS updated_at,
  if(batches_total = 0, 0,
    (0.4 * batches_extracted / batches_total
      + has(stages, 'DETECT') * 0.25 * batches_detected / batches_total
      + has(stages, 'OCR') * 0.15 * batches_ocr_done / batches_total
      + has(stages, 'CHECKS') * 0.2 * batches_checked / batches_total)
    / (0.4 + has(stages, 'DETECT') * 0.25 + has(stages, 'OCR') * 0.15 + has(stages, 'CHECKS') * 0.2)) AS progress,
  round(100 * progress, 1) AS progress_percent,
  multiIf(
    failures > 0 AND batches_extracted = 0, 'failed',
    batches_total = 0, 'queued',
    progress >= 1 AND failures = 0, 'complete',
    failures > 0, 'partially_failed',
    batches_extracted < batches_total, 'extracting',
    'processing') AS state,
  concat('Extraction: ', toString(batches_extracted), '/', toString(batches_total), ' batches') AS extraction_progress,
  if(has(stages, 'DETECT'), concat('Detection: ', toString(batches_detected), '/', toString(batches_total), ' batches'), '') AS detection_progress,
  if(has(stages, 'OCR'), concat('OCR: ', toString(batches_ocr_done), '/', toString(batches_total), ' batches'), '') AS ocr_progress,
  if(has(stages, 'CHECKS'), concat('Checks: ', toString(batches_checked), '/', toString(batches_total), ' batches'), '') AS checks_progress,
  if(progress > 0 AND progress < 1, toUInt64((toUInt32(updated_at) - toUInt32(started_at)) * (1 - progress) / progress), 0) AS eta_seconds,
  if(eta_seconds > 0, toDateTime(toUInt32(updated_at) + eta_seconds), NULL) AS eta_at
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
        SELECT *
        FROM
        (
          SELECT video_id, source_uri, uploader, stages, batch_size, ingested_at AS started_at
          FROM videos FINAL
        ) AS left_1
        ANY LEFT JOIN
        (
          SELECT video_id, max(batch_count) AS batches_total, uniqExact(batch_index) AS batches_extracted, max(occurred_at) AS extracted_at
          FROM batches GROUP BY video_id
        ) AS right_2 USING video_id
      ) AS left_3
      ANY LEFT JOIN
      (
        SELECT video_id, uniqExact(batch_index) AS batches_detected, max(occurred_at) AS detected_at
        FROM detected_batches GROUP BY video_id
      ) AS right_4 USING video_id
    ) AS left_5
    ANY LEFT JOIN
    (
      SELECT video_id, uniqExact(batch_index) AS batches_ocr_done, max(occurred_at) AS ocr_at
      FROM ocr_batches GROUP BY video_id
    ) AS right_6 USING video_id
  ) AS left_7
  ANY LEFT JOIN
  (
    -- A batch counts as checked when some check version has results for it (the most advanced version wins).
    SELECT video_id, max(checked) AS batches_checked, max(last_at) AS checked_at
    FROM (SELECT video_id, check_version, uniqExact(batch_index) AS checked, max(occurred_at) AS last_at FROM check_results GROUP BY video_id, check_version)
    GROUP BY video_id
  ) AS right_8 USING video_id
) AS left_9
ANY LEFT JOIN
(
  SELECT video_id, uniqExact(event_id) AS failures, argMax(message, occurred_at) AS last_error, max(occurred_at) AS failed_at
  FROM failures GROUP BY video_id
) AS right_10 USING video_id;

CREATE VIEW IF NOT EXISTS manifests AS
SELECT
  video_id,
  check_version,
  source_uri,
  replaceRegexpOne(source_uri, '^[a-z0-9]+://[^/]*/', '') AS source_key,
  duration_s,
  fps,
  width,
  height,
  codec,
  session_keys,
  session_values,
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
  batches_total,
  toUInt8(batches_total > 0 AND result_count >= batches_total * length(enabled_checks)) AS complete,
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
        SELECT
          video_id,
          check_version,
          count() AS result_count,
          uniqExact(batch_index) AS batches_checked,
          max(batch_count) AS batches_total,
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
      ) AS left_11
      ANY LEFT JOIN
      (
        SELECT check_version, enabled_checks, mostly_dark_ratio, dpi_scale_issue_ratio, mostly_menu_ratio
        FROM check_versions FINAL
      ) AS right_12 USING check_version
    ) AS left_13
    ANY LEFT JOIN
    (
      SELECT video_id, any(source_uri) AS batch_source_uri, any(duration_s) AS duration_s, any(fps) AS fps, any(width) AS width, any(height) AS height, any(codec) AS codec
      FROM batches GROUP BY video_id
    ) AS right_14 USING video_id
  ) AS left_15
  ANY LEFT JOIN
  (
    SELECT video_id, source_uri, session_keys, session_values FROM videos FINAL
  ) AS right_16 USING video_id
) AS left_17
ANY LEFT JOIN
(
  SELECT video_id, argMax(message, occurred_at) AS error FROM failures GROUP BY video_id
) AS right_18 USING video_id;
