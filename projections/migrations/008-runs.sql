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

-- job_status, per video, over its current run only. Honest states: a job is terminal only when no
-- work of the run is still to come — every stage it asked for has, for every batch there will be,
-- a result or a failure (a failed extraction means the batches it did not reach will never come);
-- then it is complete with no failures, failed with nothing extracted, else partially_failed. A
-- failure stops counting once the same work succeeded (a retry): failures are unresolved
-- (stage, batch) pairs of the current run. RENDER counts in progress. The ETA follows the slowest
-- stage: stages run side by side, so the last one to finish sets the end. A job whose failed work
-- was retried (filmroom retry) is `retrying` until that work succeeds or fails again. Views hold no data.

DROP TABLE IF EXISTS job_status;

CREATE VIEW IF NOT EXISTS job_status AS
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
  -- Per stage: when it will be done at its recent pace (over its last 5 batches, in ms), 0 when it is
  -- done or has not shown a pace yet (fewer than 3 batches). Stages run side by side: the last sets the end.
  -- Checks are cheap and follow extraction: their pace is taken from the first to the last batch.
  if(batches_extracted >= 3 AND batches_extracted < batches_expected,
    extract_times[length(extract_times)] + (extract_times[length(extract_times)] - extract_times[length(extract_times) - least(5, length(extract_times) - 1)])
      / least(5, length(extract_times) - 1) * (batches_expected - batches_extracted), 0) AS extraction_done_ms,
  if(has(stages, 'DETECT') AND batches_detected >= 3 AND batches_detected < batches_expected,
    detect_times[length(detect_times)] + (detect_times[length(detect_times)] - detect_times[length(detect_times) - least(5, length(detect_times) - 1)])
      / least(5, length(detect_times) - 1) * (batches_expected - batches_detected), 0) AS detection_done_ms,
  if(has(stages, 'OCR') AND batches_ocr_done >= 3 AND batches_ocr_done < batches_expected,
    ocr_times[length(ocr_times)] + (ocr_times[length(ocr_times)] - ocr_times[length(ocr_times) - least(5, length(ocr_times) - 1)])
      / least(5, length(ocr_times) - 1) * (batches_expected - batches_ocr_done), 0) AS ocr_done_ms,
  if(has(stages, 'CHECKS') AND batches_checked >= 3 AND batches_checked < batches_expected,
    checks_last_ms + (checks_last_ms - checks_first_ms) * (batches_expected - batches_checked) / (batches_checked - 1), 0) AS checks_done_ms,
  -- A stage asked for that has no pace yet: no ETA (the job's overall pace misleads, extraction
  -- being far faster than detection), rather than a wrong one.
  ((NOT extraction_over AND batches_extracted < 3)
    OR (has(stages, 'DETECT') AND batches_detected < 3 AND batches_detected < batches_expected)
    OR (has(stages, 'OCR') AND batches_ocr_done < 3 AND batches_ocr_done < batches_expected)
    OR (has(stages, 'CHECKS') AND batches_checked < 3 AND batches_checked < batches_expected)) AS pace_unknown,
  greatest(greatest(extraction_done_ms, detection_done_ms), greatest(ocr_done_ms, checks_done_ms)) AS done_ms,
  if(settled OR pace_unknown OR done_ms = 0, 0, toUInt64(greatest(0, (done_ms - 1000 * toUInt32(now())) / 1000))) AS eta_seconds,
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
          ) AS current_run
          ANY LEFT JOIN
          (
            SELECT video_id, max(batch_count) AS batches_total, uniqExact(batch_index) AS batches_extracted, max(occurred_at) AS extracted_at, sum(frames) AS frames_extracted,
              arraySort(groupArray(version)) AS extract_times
            FROM batches FINAL
            WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
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
            WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
          ) AS detected
          ANY LEFT JOIN
          (
            SELECT video_id, run_id, batch_index, toUInt8(1) AS ocr_done FROM ocr_batches FINAL
          ) AS ocr_read USING video_id, run_id, batch_index
          GROUP BY video_id
        ) AS detected_per_video USING video_id
      ) AS with_detected
      ANY LEFT JOIN
      (
        SELECT video_id, uniqExact(batch_index) AS batches_ocr_done, max(occurred_at) AS ocr_at, sum(regions_evaluated) AS regions_read,
          arraySort(groupArray(version)) AS ocr_times
        FROM ocr_batches FINAL
        WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
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
        WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
        GROUP BY video_id, check_version
      )
      GROUP BY video_id
    ) AS checked_per_video USING video_id
  ) AS with_checked
  ANY LEFT JOIN
  (
    SELECT video_id, toUInt8(1) AS rendered, max(occurred_at) AS rendered_at
    FROM renders FINAL
    WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
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
    WHERE (video_id, run_id) IN (SELECT video_id, run_id FROM videos FINAL)
      AND (video_id, run_id, stage, ifNull(batch_index, -1)) NOT IN (
        SELECT video_id, run_id, 'detect', toInt32(batch_index) FROM detected_batches
        UNION ALL SELECT video_id, run_id, 'ocr', toInt32(batch_index) FROM ocr_batches
        UNION ALL SELECT video_id, run_id, 'checks', toInt32(batch_index) FROM check_results
      )
      AND NOT (stage = 'render' AND (video_id, run_id) IN (SELECT video_id, run_id FROM renders))
    GROUP BY video_id, run_id, stage, batch
  ) AS failed_work
  ANY LEFT JOIN
  (
    SELECT video_id, run_id, stage, batch_index AS batch, max(requested_at_ms) AS retried_ms FROM retries GROUP BY video_id, run_id, stage, batch
  ) AS retried_work USING video_id, run_id, stage, batch
  GROUP BY video_id
) AS failed_per_video USING video_id;

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
