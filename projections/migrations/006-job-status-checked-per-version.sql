-- job_status counts checked batches per check version too: checked_versions and
-- batches_checked_per_version are parallel arrays sorted by version (read one with
-- batches_checked_per_version[indexOf(checked_versions, 'v2')]). batches_checked stays the most
-- advanced version's count, which progress and state use. Views hold no data: the old one is replaced.

DROP TABLE IF EXISTS job_status;

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
  checked_versions,
  batches_checked_per_version,
  frames_extracted,
  -- Until every batch is extracted, the last batch's size is not known: count it as full.
  if(batches_extracted >= batches_total, frames_extracted, greatest(frames_extracted, batches_total * batch_size)) AS frames_total,
  frames_detected,
  regions_read,
  -- Text regions OCR will have read: those it read, plus every detection of batches it has not read yet.
  regions_read + detections_awaiting_ocr AS regions_total,
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
  if(has(stages, 'DETECT'), concat('Detection: ', toString(frames_detected), '/', toString(frames_total), ' frames'), '') AS detection_progress,
  if(has(stages, 'OCR'), concat('OCR: ', toString(regions_read), '/', toString(regions_total), ' detections'), '') AS ocr_progress,
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
          SELECT video_id, max(batch_count) AS batches_total, uniqExact(batch_index) AS batches_extracted, max(occurred_at) AS extracted_at, sum(frames) AS frames_extracted
          FROM batches FINAL GROUP BY video_id
        ) AS right_2 USING video_id
      ) AS left_3
      ANY LEFT JOIN
      (
        SELECT video_id, uniqExact(batch_index) AS batches_detected, max(occurred_at) AS detected_at, sum(frames) AS frames_detected,
          sumIf(detections, ocr_done = 0) AS detections_awaiting_ocr
        FROM
        (
          SELECT video_id, batch_index, frames, detections, occurred_at FROM detected_batches FINAL
        ) AS detected
        ANY LEFT JOIN
        (
          SELECT video_id, batch_index, toUInt8(1) AS ocr_done FROM ocr_batches FINAL
        ) AS ocr_read USING video_id, batch_index
        GROUP BY video_id
      ) AS right_4 USING video_id
    ) AS left_5
    ANY LEFT JOIN
    (
      SELECT video_id, uniqExact(batch_index) AS batches_ocr_done, max(occurred_at) AS ocr_at, sum(regions_evaluated) AS regions_read
      FROM ocr_batches FINAL GROUP BY video_id
    ) AS right_6 USING video_id
  ) AS left_7
  ANY LEFT JOIN
  (
    -- A batch counts as checked when some check version has results for it (the most advanced version wins).
    -- Per version, sorted by version so that the two arrays line up and read the same on every server.
    SELECT video_id, max(checked) AS batches_checked, max(last_at) AS checked_at,
      arraySort(groupArray((check_version, checked))) AS per_version,
      arrayMap(t -> t.1, per_version) AS checked_versions,
      arrayMap(t -> t.2, per_version) AS batches_checked_per_version
    FROM (SELECT video_id, check_version, uniqExact(batch_index) AS checked, max(occurred_at) AS last_at FROM check_results GROUP BY video_id, check_version)
    GROUP BY video_id
  ) AS right_8 USING video_id
) AS left_9
ANY LEFT JOIN
(
  SELECT video_id, uniqExact(event_id) AS failures, argMax(message, occurred_at) AS last_error, max(occurred_at) AS failed_at
  FROM failures GROUP BY video_id
) AS right_10 USING video_id;
