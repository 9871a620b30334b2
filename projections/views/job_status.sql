-- job_status, per video, over its current run only. Honest states: a job is terminal only when no
-- work of the run is still to come — every stage it asked for has, for every batch there will be,
-- a result or a failure (a failed extraction means the batches it did not reach will never come);
-- then it is complete with no failures, failed with nothing extracted, else partially_failed. A
-- failure stops counting once the same work succeeded (a retry): failures are unresolved
-- (stage, batch) pairs of the current run. RENDER counts in progress. The ETA follows the slowest
-- stage: stages run side by side, so the last one to finish sets the end (see the pace below). A job whose failed work
-- was retried (filmroom retry) is `retrying` until that work succeeds or fails again. Views hold no data.
--
-- This file is the view's SELECT, not a migration: `migrate` (re)creates the view from it whenever
-- it changes, with {video_filter} as 1; the read model runs the same SELECT for one video or one id
-- prefix with {video_filter} bound to that, so a point read touches that video's rows only (every
-- table's sorting key starts with video_id) whatever the number of videos.

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
  if(rendered = 1, batches_total, 0) AS batches_rendered,
  checked_versions,
  batches_checked_per_version,
  frames_extracted,
  -- Until extraction is over, the last batch's size is not known: count it as full.
  if(extraction_over, frames_extracted, greatest(frames_extracted, batches_total * batch_size)) AS frames_total,
  frames_detected,
  regions_read,
  -- Text regions OCR will have read: those it read, plus every detection of batches it has not read yet.
  regions_read + detections_awaiting_ocr AS regions_total,
  failures,
  last_error,
  -- 18.16's greatest() takes two arguments.
  greatest(greatest(greatest(started_at, extracted_at), greatest(detected_at, ocr_at)), greatest(greatest(checked_at, failed_at), rendered_at)) AS updated_at,
  -- The batches there will ever be: all of them, or those extracted when extraction failed part-way.
  if(extract_failures > 0, batches_extracted, batches_total) AS batches_expected,
  (extract_failures > 0 OR (batches_total > 0 AND batches_extracted >= batches_total)) AS extraction_over,
  (NOT has(stages, 'DETECT') OR batches_detected + failed_detect >= batches_expected) AS detection_over,
  (NOT has(stages, 'OCR') OR batches_ocr_done + failed_ocr + failed_detect >= batches_expected) AS ocr_over,
  (NOT has(stages, 'CHECKS') OR batches_checked + failed_checks >= batches_expected) AS checks_over,
  (NOT has(stages, 'RENDER') OR rendered = 1 OR failed_render > 0 OR (failures > 0 AND detection_over AND ocr_over)) AS render_over,
  -- Work being retried is in flight again.
  (retrying = 0 AND extraction_over AND detection_over AND ocr_over AND checks_over AND render_over) AS settled,
  if(batches_expected = 0, 0,
    (0.4 * batches_extracted / batches_expected
      + has(stages, 'DETECT') * 0.25 * batches_detected / batches_expected
      + has(stages, 'OCR') * 0.15 * batches_ocr_done / batches_expected
      + has(stages, 'CHECKS') * 0.2 * batches_checked / batches_expected
      + has(stages, 'RENDER') * 0.1 * rendered)
    / (0.4 + has(stages, 'DETECT') * 0.25 + has(stages, 'OCR') * 0.15 + has(stages, 'CHECKS') * 0.2 + has(stages, 'RENDER') * 0.1)) AS progress,
  round(100 * progress, 1) AS progress_percent,
  multiIf(
    retrying > 0, 'retrying',
    settled AND failures = 0, 'complete',
    settled AND batches_extracted = 0, 'failed',
    settled, 'partially_failed',
    batches_total = 0, 'queued',
    NOT extraction_over, 'extracting',
    'processing') AS state,
  concat('Extraction: ', toString(batches_extracted), '/', toString(batches_total), ' batches') AS extraction_progress,
  if(has(stages, 'DETECT'), concat('Detection: ', toString(frames_detected), '/', toString(frames_total), ' frames'), '') AS detection_progress,
  if(has(stages, 'OCR'), concat('OCR: ', toString(regions_read), '/', toString(regions_total), ' detections'), '') AS ocr_progress,
  if(has(stages, 'CHECKS'), concat('Checks: ', toString(batches_checked), '/', toString(batches_expected), ' batches'), '') AS checks_progress,
  if(has(stages, 'RENDER'), concat('Render: ', if(rendered = 1, 'preview done', 'waiting for every batch')), '') AS render_progress,
  -- Per stage: the time it still needs at its pace, 0 when it is done or has no pace yet (fewer than 3
  -- batches). A pace is the average gap from its first result to its last, not the last few gaps,
  -- because stages finish batches in bursts (several partitions at once) and an average over whole
  -- bursts is right where a short window is not. Downstream stages share the CPU with decoding while
  -- extraction runs and speed up after it: once 3 of their results came after extraction's end, their
  -- pace is taken from those alone. A stage past its predicted end shows 1 s, not "unknown".
  -- Stages run side by side: the last sets the end.
  1000 * toInt64(toUInt32(now())) AS now_ms,
  if(extraction_over AND length(extract_times) > 0, extract_times[length(extract_times)], 0) AS extracted_end_ms,
  if(extracted_end_ms > 0 AND length(arrayFilter(t -> t > extracted_end_ms, detect_times)) >= 3,
    arrayFilter(t -> t > extracted_end_ms, detect_times), detect_times) AS detect_paced,
  if(extracted_end_ms > 0 AND length(arrayFilter(t -> t > extracted_end_ms, ocr_times)) >= 3,
    arrayFilter(t -> t > extracted_end_ms, ocr_times), ocr_times) AS ocr_paced,
  if(batches_extracted >= 3 AND batches_extracted < batches_expected,
    greatest(1000, extract_times[length(extract_times)] - now_ms
      + (extract_times[length(extract_times)] - extract_times[1]) / (length(extract_times) - 1) * (batches_expected - batches_extracted)), 0) AS extraction_left_ms,
  if(has(stages, 'DETECT') AND batches_detected >= 3 AND batches_detected < batches_expected,
    greatest(1000, detect_paced[length(detect_paced)] - now_ms
      + (detect_paced[length(detect_paced)] - detect_paced[1]) / (length(detect_paced) - 1) * (batches_expected - batches_detected)), 0) AS detection_left_ms,
  if(has(stages, 'OCR') AND batches_ocr_done >= 3 AND batches_ocr_done < batches_expected,
    greatest(1000, ocr_paced[length(ocr_paced)] - now_ms
      + (ocr_paced[length(ocr_paced)] - ocr_paced[1]) / (length(ocr_paced) - 1) * (batches_expected - batches_ocr_done)), 0) AS ocr_left_ms,
  -- Checks are cheap and follow extraction: their pace runs from their first batch to their last.
  if(has(stages, 'CHECKS') AND batches_checked >= 3 AND batches_checked < batches_expected,
    greatest(1000, checks_last_ms - now_ms + (checks_last_ms - checks_first_ms) / (batches_checked - 1) * (batches_expected - batches_checked)), 0) AS checks_left_ms,
  -- A stage asked for that has no pace yet: no ETA (the job's overall pace misleads, extraction
  -- being far faster than detection), rather than a wrong one.
  ((NOT extraction_over AND batches_extracted < 3)
    OR (has(stages, 'DETECT') AND batches_detected < 3 AND batches_detected < batches_expected)
    OR (has(stages, 'OCR') AND batches_ocr_done < 3 AND batches_ocr_done < batches_expected)
    OR (has(stages, 'CHECKS') AND batches_checked < 3 AND batches_checked < batches_expected)) AS pace_unknown,
  greatest(greatest(extraction_left_ms, detection_left_ms), greatest(ocr_left_ms, checks_left_ms)) AS left_ms,
  if(settled OR pace_unknown, 0, toUInt64(ceil(left_ms / 1000))) AS eta_seconds,
  if(eta_seconds > 0, toDateTime(toUInt32(now()) + eta_seconds), NULL) AS eta_at
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
          SELECT *
          FROM
          (
            SELECT video_id, run_id, source_uri, uploader, stages, batch_size, ingested_at AS started_at
            FROM videos FINAL
            WHERE {video_filter}
          ) AS current_run
          ANY LEFT JOIN
          (
            SELECT video_id, max(batch_count) AS batches_total, uniqExact(batch_index) AS batches_extracted, max(occurred_at) AS extracted_at, sum(frames) AS frames_extracted,
              arraySort(groupArray(version)) AS extract_times
            FROM batches FINAL
            WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
            GROUP BY video_id
          ) AS extracted_per_video USING video_id
        ) AS with_extracted
        ANY LEFT JOIN
        (
          SELECT video_id, uniqExact(batch_index) AS batches_detected, max(occurred_at) AS detected_at, sum(frames) AS frames_detected,
            sumIf(detections, ocr_done = 0) AS detections_awaiting_ocr, arraySort(groupArray(version)) AS detect_times
          FROM
          (
            SELECT video_id, run_id, batch_index, frames, detections, occurred_at, version FROM detected_batches FINAL
            WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
          ) AS detected
          ANY LEFT JOIN
          (
            SELECT video_id, run_id, batch_index, toUInt8(1) AS ocr_done FROM ocr_batches FINAL WHERE {video_filter}
          ) AS ocr_read USING video_id, run_id, batch_index
          GROUP BY video_id
        ) AS detected_per_video USING video_id
      ) AS with_detected
      ANY LEFT JOIN
      (
        SELECT video_id, uniqExact(batch_index) AS batches_ocr_done, max(occurred_at) AS ocr_at, sum(regions_evaluated) AS regions_read,
          arraySort(groupArray(version)) AS ocr_times
        FROM ocr_batches FINAL
        WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
        GROUP BY video_id
      ) AS read_per_video USING video_id
    ) AS with_read
    ANY LEFT JOIN
    (
      -- A batch counts as checked when some check version has results for it (the most advanced version wins).
      -- Per version, sorted by version so that the two arrays line up and read the same on every server.
      SELECT video_id, max(checked) AS batches_checked, max(last_at) AS checked_at, min(first_ms) AS checks_first_ms, max(last_ms) AS checks_last_ms,
        arraySort(groupArray((check_version, checked))) AS per_version,
        arrayMap(t -> t.1, per_version) AS checked_versions,
        arrayMap(t -> t.2, per_version) AS batches_checked_per_version
      FROM
      (
        SELECT video_id, check_version, uniqExact(batch_index) AS checked, max(occurred_at) AS last_at, min(version) AS first_ms, max(version) AS last_ms
        FROM check_results
        WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
        GROUP BY video_id, check_version
      )
      GROUP BY video_id
    ) AS checked_per_video USING video_id
  ) AS with_checked
  ANY LEFT JOIN
  (
    SELECT video_id, toUInt8(1) AS rendered, max(occurred_at) AS rendered_at
    FROM renders FINAL
    WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
    GROUP BY video_id
  ) AS rendered_per_video USING video_id
) AS with_rendered
ANY LEFT JOIN
(
  -- Unresolved failures of the current run: a (stage, batch) whose work has not succeeded since.
  -- One retried after its last failure (a retry requested later, in ms) is being retried.
  SELECT video_id,
    count() AS failures,
    countIf(stage = 'extract') AS extract_failures,
    countIf(stage = 'detect') AS failed_detect,
    countIf(stage = 'ocr') AS failed_ocr,
    countIf(stage = 'checks') AS failed_checks,
    countIf(stage = 'render') AS failed_render,
    countIf(retried_ms > failed_ms) AS retrying,
    argMax(message, failed_ms) AS last_error,
    max(failed_at) AS failed_at
  FROM
  (
    SELECT video_id, run_id, stage, ifNull(batch_index, -1) AS batch, max(version) AS failed_ms, max(occurred_at) AS failed_at, argMax(message, version) AS message
    FROM failures FINAL
    WHERE {video_filter} AND (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL WHERE {video_filter})
      AND (video_id, run_id, stage, ifNull(batch_index, -1)) NOT IN (
        SELECT video_id, run_id, 'detect', toInt32(batch_index) FROM detected_batches WHERE {video_filter}
        UNION ALL SELECT video_id, run_id, 'ocr', toInt32(batch_index) FROM ocr_batches WHERE {video_filter}
        UNION ALL SELECT video_id, run_id, 'checks', toInt32(batch_index) FROM check_results WHERE {video_filter}
      )
      AND NOT (stage = 'render' AND (video_id, run_id) IN (SELECT video_id, run_id FROM renders WHERE {video_filter}))
    GROUP BY video_id, run_id, stage, batch
  ) AS failed_work
  ANY LEFT JOIN
  (
    SELECT video_id, run_id, stage, batch_index AS batch, max(requested_at_ms) AS retried_ms FROM retries WHERE {video_filter} GROUP BY video_id, run_id, stage, batch
  ) AS retried_work USING video_id, run_id, stage, batch
  GROUP BY video_id
) AS failed_per_video USING video_id
