-- job_status: each video's status as the projectors stored it (job_status_latest, one row per
-- video, computed by projections/views/job_status_computed.sql — read that file for what the
-- columns mean), with the columns that depend on the clock added here: each stage's time left
-- (at least 1 s once a stage is past its predicted end), the slowest one's, the ETA.
--
-- This file is the view's SELECT, not a migration: `migrate` (re)creates the view from it whenever
-- it changes, with {video_filter} as 1; the read model runs the same SELECT for one video or one id
-- prefix with {video_filter} bound to that: a point read is one row of one table.

SELECT
  video_id,
  run_id,
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
  batches_rendered,
  transform,
  batches_transformed,
  transformed,
  checked_versions,
  batches_checked_per_version,
  frames_extracted,
  frames_total,
  frames_detected,
  regions_read,
  regions_total,
  failures,
  last_error,
  updated_at,
  batches_expected,
  extraction_over,
  detection_over,
  ocr_over,
  checks_over,
  render_over,
  transform_over,
  settled,
  progress,
  progress_percent,
  state,
  extraction_progress,
  detection_progress,
  ocr_progress,
  checks_progress,
  render_progress,
  transform_progress,
  1000 * toInt64(toUInt32(now())) AS now_ms,
  extracted_end_ms,
  detect_paced,
  ocr_paced,
  if(extraction_eta_from_ms = 0, 0, greatest(1000, extraction_eta_from_ms - now_ms + extraction_eta_rest_ms)) AS extraction_left_ms,
  if(detection_eta_from_ms = 0, 0, greatest(1000, detection_eta_from_ms - now_ms + detection_eta_rest_ms)) AS detection_left_ms,
  if(ocr_eta_from_ms = 0, 0, greatest(1000, ocr_eta_from_ms - now_ms + ocr_eta_rest_ms)) AS ocr_left_ms,
  if(checks_eta_from_ms = 0, 0, greatest(1000, checks_eta_from_ms - now_ms + checks_eta_rest_ms)) AS checks_left_ms,
  if(transform_eta_from_ms = 0, 0, greatest(1000, transform_eta_from_ms - now_ms + transform_eta_rest_ms)) AS transform_left_ms,
  pace_unknown,
  greatest(greatest(greatest(extraction_left_ms, detection_left_ms), greatest(ocr_left_ms, checks_left_ms)), transform_left_ms) AS left_ms,
  if(settled OR pace_unknown, 0, toUInt64(ceil(left_ms / 1000))) AS eta_seconds,
  if(eta_seconds > 0, toDateTime(toUInt32(now()) + eta_seconds), NULL) AS eta_at
FROM job_status_latest FINAL
WHERE {video_filter}
