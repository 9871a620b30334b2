-- job_status computed from the projected events, per video, over its current run only: what the
-- projectors store in job_status_latest (projections/stored-read-rows.ts) for the videos they
-- touch, and what the job_status view reads back with the clock's columns added. Honest states: a
-- job is terminal only when no work of the run is still to come — every stage it asked for has,
-- for every batch there will be, a result or a failure (a failed extraction means the batches it
-- did not reach will never come); then it is complete with no failures, failed with nothing
-- extracted, else partially_failed. A failure stops counting once the same work succeeded (a
-- retry): failures are unresolved (stage, batch) pairs of the current run. RENDER counts in
-- progress, and so does the transform when the run asked for one (`transform`, not a stage of
-- `stages`): it is over once its MP4 is stitched (video-transformed), or once every batch was
-- transformed or dead-lettered with some failed (nothing will be stitched then). The ETA follows the slowest stage: stages run side by side, so the last one to finish
-- sets the end (see the pace below). A job whose failed work was retried (filmroom retry) is
-- `retrying` until that work succeeds or fails again, and so is one whose work a processor retries
-- itself after a transient error (work-retrying) until its result or failure. Views hold no data.
--
-- No joins: ClickHouse 18.16 takes one JOIN per SELECT, and the nested joins this view had cost
-- ~130 ms of CPU per point read whatever the data (docs/benchmarks.md#api-reads). Instead every
-- table's rows of the video are one UNION ALL in one shape, grouped per (stage, batch), then per run;
-- the current run is the one whose `videos` row is among them.
--
-- This file is the view's SELECT, not a migration: `migrate` (re)creates the view from it whenever
-- it changes (and then recomputes every stored status), with {video_filter} as 1; the projectors
-- run the same SELECT with {video_filter} bound to the videos they touched, so a recomputation
-- reads those videos' rows only (every table's sorting key starts with video_id).

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
  transform,
  batches_transformed,
  transformed,
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
  greatest(greatest(greatest(started_at, extracted_at), greatest(detected_at, ocr_at)),
    greatest(greatest(greatest(checked_at, failed_at), rendered_at), greatest(transformed_batch_at, transformed_at))) AS updated_at,
  -- The batches there will ever be: all of them, or, when extraction failed part-way, those it
  -- extracted first. Its failure names the first batch it did not extract (batch_index), because the
  -- failure's row may be projected before the rows of the batches extracted ahead of it: extraction
  -- is over only once those are here too, or a job would settle on batches it has not counted yet.
  if(extract_failures > 0, greatest(batches_extracted, extract_failed_at_batch), batches_total) AS batches_expected,
  ((extract_failures > 0 AND batches_extracted >= extract_failed_at_batch) OR (batches_total > 0 AND batches_extracted >= batches_total)) AS extraction_over,
  (NOT has(stages, 'DETECT') OR batches_detected + failed_detect >= batches_expected) AS detection_over,
  (NOT has(stages, 'OCR') OR batches_ocr_done + failed_ocr + failed_detect >= batches_expected) AS ocr_over,
  (NOT has(stages, 'CHECKS') OR batches_checked + failed_checks >= batches_expected) AS checks_over,
  (NOT has(stages, 'RENDER') OR rendered = 1 OR failed_render > 0 OR (failures > 0 AND detection_over AND ocr_over)) AS render_over,
  -- The transform stitches only when every batch the extraction planned was transformed: a failed
  -- batch (or extraction) means no MP4 will come.
  (transform = '' OR transformed = 1
    OR (batches_transformed + failed_transform >= batches_expected AND (failed_transform > 0 OR extract_failures > 0))) AS transform_over,
  -- Work being retried is in flight again.
  (retrying = 0 AND extraction_over AND detection_over AND ocr_over AND checks_over AND render_over AND transform_over) AS settled,
  if(batches_expected = 0, 0,
    (0.4 * batches_extracted / batches_expected
      + has(stages, 'DETECT') * 0.25 * batches_detected / batches_expected
      + has(stages, 'OCR') * 0.15 * batches_ocr_done / batches_expected
      + has(stages, 'CHECKS') * 0.2 * batches_checked / batches_expected
      + has(stages, 'RENDER') * 0.1 * rendered
      -- The stitch counts as one more batch.
      + (transform != '') * 0.2 * (batches_transformed + transformed) / (batches_expected + 1))
    / (0.4 + has(stages, 'DETECT') * 0.25 + has(stages, 'OCR') * 0.15 + has(stages, 'CHECKS') * 0.2 + has(stages, 'RENDER') * 0.1
      + (transform != '') * 0.2)) AS progress,
  round(100 * progress, 1) AS progress_percent,
  multiIf(
    retrying > 0, 'retrying',
    settled AND failures = 0, 'complete',
    settled AND batches_extracted = 0, 'failed',
    settled, 'partially_failed',
    -- A failed extraction whose batches are not projected yet is not queued: it was extracting.
    batches_total = 0 AND extract_failures = 0, 'queued',
    NOT extraction_over, 'extracting',
    'processing') AS state,
  concat('Extraction: ', toString(batches_extracted), '/', toString(batches_total), ' batches') AS extraction_progress,
  if(has(stages, 'DETECT'), concat('Detection: ', toString(frames_detected), '/', toString(frames_total), ' frames'), '') AS detection_progress,
  if(has(stages, 'OCR'), concat('OCR: ', toString(regions_read), '/', toString(regions_total), ' detections'), '') AS ocr_progress,
  if(has(stages, 'CHECKS'), concat('Checks: ', toString(batches_checked), '/', toString(batches_expected), ' batches'), '') AS checks_progress,
  if(has(stages, 'RENDER'), concat('Render: ', if(rendered = 1, 'preview done', 'waiting for every batch')), '') AS render_progress,
  if(transform != '', concat('Transform ', transform, ': ', toString(batches_transformed), '/', toString(batches_expected), ' batches, ',
    multiIf(transformed = 1, 'stitched', failed_transform > 0, concat(toString(failed_transform), ' failed, not stitched'), 'not stitched yet')), '') AS transform_progress,
  -- Per stage: the time it still needs at its pace, 0 when it is done or has no pace yet (fewer than 3
  -- batches). A pace is the average gap from its first result to its last, not the last few gaps,
  -- because stages finish batches in bursts (several partitions at once) and an average over whole
  -- bursts is right where a short window is not. Downstream stages share the CPU with decoding while
  -- extraction runs and speed up after it: once 3 of their results came
  -- after extraction's end, their pace is the time from that end to their last result over the
  -- results since (a stage with batches waiting works all that time), and the slower past is
  -- dropped. A stage past its predicted end shows 1 s, not "unknown".
  -- Stages run side by side: the last sets the end. Here, per stage, its last result (`eta_from_ms`,
  -- 0 when it has no ETA) and the time its remaining batches take at its pace (`eta_rest_ms`); the
  -- job_status view, read with the clock, makes them the time left: max(1 s, from - now + rest).
  if(extraction_over AND length(extract_times) > 0, extract_times[length(extract_times)], 0) AS extracted_end_ms,
  arrayFilter(t -> extracted_end_ms > 0 AND t > extracted_end_ms, detect_times) AS detect_after_extraction,
  arrayFilter(t -> extracted_end_ms > 0 AND t > extracted_end_ms, ocr_times) AS ocr_after_extraction,
  if(length(detect_after_extraction) >= 3, arrayPushFront(detect_after_extraction, extracted_end_ms), detect_times) AS detect_paced,
  if(length(ocr_after_extraction) >= 3, arrayPushFront(ocr_after_extraction, extracted_end_ms), ocr_times) AS ocr_paced,
  (batches_extracted >= 3 AND batches_extracted < batches_expected) AS extraction_paced,
  if(extraction_paced, extract_times[length(extract_times)], 0) AS extraction_eta_from_ms,
  if(extraction_paced, (extract_times[length(extract_times)] - extract_times[1]) / (length(extract_times) - 1) * (batches_expected - batches_extracted), 0) AS extraction_eta_rest_ms,
  (has(stages, 'DETECT') AND batches_detected >= 3 AND batches_detected < batches_expected) AS detection_paced,
  if(detection_paced, detect_paced[length(detect_paced)], 0) AS detection_eta_from_ms,
  if(detection_paced, (detect_paced[length(detect_paced)] - detect_paced[1]) / (length(detect_paced) - 1) * (batches_expected - batches_detected), 0) AS detection_eta_rest_ms,
  (has(stages, 'OCR') AND batches_ocr_done >= 3 AND batches_ocr_done < batches_expected) AS ocr_paced_now,
  if(ocr_paced_now, ocr_paced[length(ocr_paced)], 0) AS ocr_eta_from_ms,
  if(ocr_paced_now, (ocr_paced[length(ocr_paced)] - ocr_paced[1]) / (length(ocr_paced) - 1) * (batches_expected - batches_ocr_done), 0) AS ocr_eta_rest_ms,
  -- Checks are cheap and follow extraction: their pace runs from their first batch to their last.
  (has(stages, 'CHECKS') AND batches_checked >= 3 AND batches_checked < batches_expected) AS checks_paced,
  if(checks_paced, checks_last_ms, 0) AS checks_eta_from_ms,
  if(checks_paced, (checks_last_ms - checks_first_ms) / (batches_checked - 1) * (batches_expected - batches_checked), 0) AS checks_eta_rest_ms,
  -- The transform's pace likewise (its stitch, one step at the end, is not paced).
  (transform != '' AND batches_transformed >= 3 AND batches_transformed < batches_expected) AS transform_paced,
  if(transform_paced, transform_last_ms, 0) AS transform_eta_from_ms,
  if(transform_paced, (transform_last_ms - transform_first_ms) / (batches_transformed - 1) * (batches_expected - batches_transformed), 0) AS transform_eta_rest_ms,
  -- A stage asked for that has no pace yet: no ETA (the job's overall pace misleads, extraction
  -- being far faster than detection), rather than a wrong one.
  ((NOT extraction_over AND batches_extracted < 3)
    OR (has(stages, 'DETECT') AND batches_detected < 3 AND batches_detected < batches_expected)
    OR (has(stages, 'OCR') AND batches_ocr_done < 3 AND batches_ocr_done < batches_expected)
    OR (has(stages, 'CHECKS') AND batches_checked < 3 AND batches_checked < batches_expected)
    OR (transform != '' AND batches_transformed < 3 AND batches_transformed < batches_expected)) AS pace_unknown,
  -- Deleting a video's rows (purge.ts) goes by occurred_at: the status is the run's.
  started_at AS occurred_at
FROM
(
  -- Per video and run: what the current run did, from its (stage, batch) rows below.
  SELECT
    video_id,
    run_id,
    anyIf(run_source_uri, stage = 'run') AS source_uri,
    anyIf(run_uploader, stage = 'run') AS uploader,
    anyIf(run_stages, stage = 'run') AS stages,
    anyIf(run_batch_size, stage = 'run') AS batch_size,
    anyIf(run_transform, stage = 'run') AS transform,
    anyIf(run_started_at, stage = 'run') AS started_at,
    maxIf(batches_told, stage = 'extract' AND done) AS batches_total,
    countIf(stage = 'extract' AND done) AS batches_extracted,
    maxIf(done_at, stage = 'extract' AND done) AS extracted_at,
    sumIf(frames_done, stage = 'extract' AND done) AS frames_extracted,
    arraySort(groupArrayIf(last_ms, stage = 'extract' AND done)) AS extract_times,
    countIf(stage = 'detect' AND done) AS batches_detected,
    maxIf(done_at, stage = 'detect' AND done) AS detected_at,
    sumIf(frames_done, stage = 'detect' AND done) AS frames_detected,
    sumIf(detections_done, stage = 'detect' AND done AND NOT ocr_read) AS detections_awaiting_ocr,
    arraySort(groupArrayIf(last_ms, stage = 'detect' AND done)) AS detect_times,
    countIf(stage = 'ocr' AND done) AS batches_ocr_done,
    maxIf(done_at, stage = 'ocr' AND done) AS ocr_at,
    sumIf(regions_done, stage = 'ocr' AND done) AS regions_read,
    arraySort(groupArrayIf(last_ms, stage = 'ocr' AND done)) AS ocr_times,
    -- A batch counts as checked when some check version has results for it (the most advanced
    -- version wins). Versions sorted, so that the two arrays line up and read the same on every server.
    groupArrayArray(versions_done) AS version_per_checked_batch,
    arraySort(groupUniqArrayArray(versions_done)) AS checked_versions,
    arrayMap(v -> countEqual(version_per_checked_batch, v), checked_versions) AS batches_checked_per_version,
    arrayReduce('max', batches_checked_per_version) AS batches_checked,
    maxIf(done_at, stage = 'checks' AND done) AS checked_at,
    minIf(first_ms, stage = 'checks' AND done) AS checks_first_ms,
    maxIf(last_ms, stage = 'checks' AND done) AS checks_last_ms,
    maxIf(done, stage = 'render') AS rendered,
    maxIf(done_at, stage = 'render' AND done) AS rendered_at,
    -- Transformed batches of any version of the run's transform (one per batch counts), and its MP4.
    countIf(stage = 'transform' AND done) AS batches_transformed,
    maxIf(done_at, stage = 'transform' AND done) AS transformed_batch_at,
    minIf(first_ms, stage = 'transform' AND done) AS transform_first_ms,
    maxIf(last_ms, stage = 'transform' AND done) AS transform_last_ms,
    maxIf(done, stage = 'stitch') AS transformed,
    maxIf(done_at, stage = 'stitch' AND done) AS transformed_at,
    -- Unresolved failures (below): (stage, batch) pairs with a failure that still counts.
    countIf(unresolved) AS failures,
    countIf(unresolved AND stage = 'extract') AS extract_failures,
    -- The fewest batches a failed extraction says it extracted: with segments, each failing segment
    -- names its own first missing batch, and other segments' batches may come anyway (a lower bound).
    toUInt64(if(countIf(unresolved AND stage = 'extract' AND batch >= 0) > 0, minIf(batch, unresolved AND stage = 'extract' AND batch >= 0), 0)) AS extract_failed_at_batch,
    countIf(unresolved AND stage = 'detect') AS failed_detect,
    countIf(unresolved AND stage = 'ocr') AS failed_ocr,
    countIf(unresolved AND stage = 'checks') AS failed_checks,
    countIf(unresolved AND stage = 'render') AS failed_render,
    countIf(unresolved AND stage = 'transform') AS failed_transform,
    -- One retried after its last failure (a retry requested later, in ms) is being retried.
    countIf(unresolved AND retried_ms > failed_ms) AS retried_by_operator,
    -- Work a processor is retrying itself (work-retrying) until a result or a failure of it comes later;
    -- extraction's is the whole video's (batch -1), so any later extracted batch answers it.
    countIf(retrying_ms > greatest(last_ms, failed_ms) AND NOT (stage = 'extract' AND batch = -1))
      + toUInt64(maxIf(retrying_ms, stage = 'extract' AND batch = -1) > greatest(maxIf(last_ms, stage = 'extract'), maxIf(failed_ms, stage = 'extract'))) AS retried_by_processor,
    retried_by_operator + retried_by_processor AS retrying,
    argMaxIf(failure_message, failed_ms, unresolved) AS last_error,
    maxIf(failed_time, unresolved) AS failed_at
  FROM
  (
    -- Per video, run, stage and batch: done (a result), failed, retried.
    SELECT
      video_id,
      run_id,
      stage,
      batch,
      toUInt8(countIf(kind = 'done') > 0) AS done,
      toUInt8(countIf(kind = 'ocr_read') > 0) AS ocr_read,
      -- Whether a failure still counts is decided per failure row, by the one rule
      -- (projections/views/fragments/unresolved_failure.sql): such a row comes twice, once as 'unresolved'.
      toUInt8(countIf(kind = 'unresolved') > 0) AS unresolved,
      maxIf(at, kind = 'done') AS done_at,
      minIf(at_ms, kind = 'done') AS first_ms,
      maxIf(at_ms, kind = 'done') AS last_ms,
      maxIf(batch_count, kind = 'done') AS batches_told,
      -- One result per (stage, batch) counts, whatever the model versions it has rows of (a batch
      -- detected again by a pipeline with other settings has two): max, not sum.
      maxIf(frames, kind = 'done') AS frames_done,
      maxIf(detections, kind = 'done') AS detections_done,
      maxIf(regions, kind = 'done') AS regions_done,
      groupUniqArrayIf(check_version, kind = 'done' AND stage = 'checks') AS versions_done,
      maxIf(at_ms, kind = 'failed') AS failed_ms,
      maxIf(at, kind = 'failed') AS failed_time,
      argMaxIf(message, at_ms, kind = 'failed') AS failure_message,
      maxIf(at_ms, kind = 'retry') AS retried_ms,
      maxIf(at_ms, kind = 'retrying') AS retrying_ms,
      any(source_uri) AS run_source_uri,
      any(uploader) AS run_uploader,
      any(stages) AS run_stages,
      any(batch_size) AS run_batch_size,
      any(started_at) AS run_started_at,
      any(transform) AS run_transform
    FROM
    (
      -- Every row of the video's work, in one shape: a run ingested, a batch done, failed or retried.
      -- Detection and OCR replays (another model version, replay_id set) are no part of the job.
      -- Each table deduplicated as before (FINAL where it replaces rows; check results and retries counted as written).
      SELECT video_id, run_id, 'run' AS stage, toInt32(-1) AS batch, 'run' AS kind, version AS at_ms, occurred_at AS at,
        toUInt32(0) AS batch_count, toUInt32(0) AS frames, toUInt32(0) AS detections, toUInt32(0) AS regions, '' AS check_version, '' AS message,
        source_uri, uploader, stages, batch_size, ingested_at AS started_at, transform
      FROM videos FINAL WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'extract', toInt32(batch_index), 'done', version, occurred_at, batch_count, frames, toUInt32(0), toUInt32(0), '', '',
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM batches FINAL WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'detect', toInt32(batch_index), 'done', version, occurred_at, toUInt32(0), frames, detections, toUInt32(0), '', '',
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM detected_batches FINAL WHERE {video_filter} AND replay_id = ''
      UNION ALL
      -- An OCR'd batch is done for OCR and, for detection, no longer awaiting OCR.
      SELECT video_id, run_id, arrayJoin(['ocr', 'detect']) AS for_stage, toInt32(batch_index), if(for_stage = 'ocr', 'done', 'ocr_read'), version, occurred_at,
        toUInt32(0), toUInt32(0), toUInt32(0), regions_evaluated, '', '', '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM ocr_batches FINAL WHERE {video_filter} AND replay_id = ''
      UNION ALL
      SELECT video_id, run_id, 'checks', toInt32(batch_index), 'done', version, occurred_at, toUInt32(0), toUInt32(0), toUInt32(0), toUInt32(0), check_version, '',
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM check_results WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'render', toInt32(-1), 'done', version, occurred_at, toUInt32(0), toUInt32(0), toUInt32(0), toUInt32(0), '', '',
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM renders FINAL WHERE {video_filter}
      UNION ALL
      -- A batch transformed by the run's transform (any version), and the video stitched from them.
      SELECT video_id, run_id, 'transform', toInt32(batch_index), 'done', version, occurred_at, batch_count, frames, toUInt32(0), toUInt32(0), '', '',
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM transformed_batches FINAL WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'stitch', toInt32(-1), 'done', version, occurred_at, toUInt32(0), frames, toUInt32(0), toUInt32(0), '', '',
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM transformed_videos FINAL WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, stage, ifNull(batch_index, -1), arrayJoin(if({fragment:unresolved_failure}, ['failed', 'unresolved'], ['failed'])), version, occurred_at, toUInt32(0), toUInt32(0), toUInt32(0), toUInt32(0), '', message,
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM failures FINAL WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, stage, batch_index, 'retry', requested_at_ms, occurred_at, toUInt32(0), toUInt32(0), toUInt32(0), toUInt32(0), '', '',
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM retries WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, stage, batch_index, 'retrying', version, occurred_at, toUInt32(0), toUInt32(0), toUInt32(0), toUInt32(0), '', '',
        '', '', emptyArrayString(), toUInt32(0), toDateTime(0), ''
      FROM retrying_work FINAL WHERE {video_filter}
    )
    GROUP BY video_id, run_id, stage, batch
  )
  GROUP BY video_id, run_id
  -- The current run only: the one `videos` holds (superseded runs are history).
  HAVING countIf(stage = 'run') > 0
)
