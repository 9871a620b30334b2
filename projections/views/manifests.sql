-- manifests: one row per ingested video and check version it has results for, and one row (check
-- version '') for a video with no results at all (a failed one, with its error), over each video's
-- current run. The rows are the projectors' (manifests_latest, one row per video, computed by
-- projections/views/manifests_computed.sql — read that file for what the columns mean), one per
-- check version, with the columns that depend on the check versions' cut-offs added here:
-- `check_versions` is a handful of rows, written at start from the code.
--
-- This file is the view's SELECT, not a migration: `migrate` (re)creates the view from it whenever
-- it changes, with {video_filter} as 1; the read model runs the same SELECT for one video or one id
-- or key prefix with {video_filter} bound to that (it may name s3_key), so a point read is one row
-- of one table.

SELECT
  video_id,
  run_id,
  check_version,
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
  frames_evaluated,
  dark_fraction,
  toUInt8(dark_fraction >= mostly_dark_ratio AND frames_evaluated > 0) AS is_video_mostly_dark,
  letterbox_fraction,
  content_ratio,
  toUInt8(letterbox_fraction >= dpi_scale_issue_ratio AND letterbox_evaluated > 0) AS is_dpi_scale_issue,
  video_menu_percent,
  toUInt8(video_menu_percent / 100 >= mostly_menu_ratio AND menu_evaluated > 0) AS is_video_mostly_menu,
  frozen_fraction,
  longest_frozen_run,
  blurry_fraction,
  laplacian_variance_mean,
  batches_checked,
  batches_total,
  toUInt8(result_count > 0 AND batches_total > 0 AND result_count >= batches_total * length(enabled_checks) AND extract_failures = 0) AS complete,
  error
FROM
(
  SELECT video_id, run_id, check_version, source_uri, s3_key, ingested_at, session_keys, session_values, codec, pix_fmt, bit_rate, duration_s, fps,
    width, height, frame_count, result_count, frames_evaluated, dark_fraction, letterbox_evaluated, letterbox_fraction, content_ratio, menu_evaluated,
    video_menu_percent, frozen_fraction, longest_frozen_run, blurry_fraction, laplacian_variance_mean, batches_checked, batches_total, extract_failures, error
  FROM manifests_latest FINAL
  ARRAY JOIN
    versions AS check_version,
    result_count_per_version AS result_count,
    frames_evaluated_per_version AS frames_evaluated,
    dark_fraction_per_version AS dark_fraction,
    letterbox_evaluated_per_version AS letterbox_evaluated,
    letterbox_fraction_per_version AS letterbox_fraction,
    content_ratio_per_version AS content_ratio,
    menu_evaluated_per_version AS menu_evaluated,
    video_menu_percent_per_version AS video_menu_percent,
    frozen_fraction_per_version AS frozen_fraction,
    longest_frozen_run_per_version AS longest_frozen_run,
    blurry_fraction_per_version AS blurry_fraction,
    laplacian_variance_mean_per_version AS laplacian_variance_mean,
    batches_checked_per_version AS batches_checked,
    batches_total_per_version AS batches_total
  WHERE {video_filter}
) AS stored
ANY LEFT JOIN
(
  SELECT check_version, enabled_checks, mostly_dark_ratio, dpi_scale_issue_ratio, mostly_menu_ratio
  FROM check_versions FINAL
) AS cut_offs USING check_version
