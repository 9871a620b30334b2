-- stage_timings: per video, run and stage (extract, detect, ocr, checks, track, scenes, transform),
-- when the stage started and finished, how long it took and how many attempts its work needed,
-- derived from the tables the projectors already fill (no events of its own):
-- - started_ms: when its first input was there (extract: the ingestion; detect, checks, scenes and
--   transform: the first extracted batch; ocr and track: the first detected batch), so the seconds
--   include time queued behind other videos;
-- - finished_ms: when its last batch was done (each batch's earliest result still stored: a
--   redelivery does not move it; a replay that replaces a batch's row, such as a detection under a
--   new model, does, and check results under a new version do not), 0 while batches are to come;
-- - seconds: finished minus started, or the time so far while it runs;
-- - attempts: the most attempts any one piece of its work took: 1, or one more than the last
--   attempt a work-retrying event said failed, or the attempts of its dead-lettered work.
-- RENDER is one event per video with no start of its own: it is not listed; nor is the transform's
-- stitch, which its last batch does (a transform's batches of any version count). Only stages with a
-- result, a retry or a failure appear (so the transform only where one was asked for). Rows of
-- every run: readers keep the current one.
--
-- One UNION ALL in one shape, grouped per (stage, batch) then per stage, no joins (as
-- job_status_computed.sql, for ClickHouse 18.16). This file is the view's SELECT: `migrate`
-- (re)creates the view when it changes, with {video_filter} as 1; the read model runs it with
-- {video_filter} bound to one video.

SELECT
  video_id,
  run_id,
  stage,
  started_ms,
  finished_ms,
  batches_done,
  batches_total,
  attempts,
  if(started_ms = 0, 0, (greatest(if(finished_ms > 0, finished_ms, 1000 * toUInt64(toUInt32(now()))), started_ms) - started_ms) / 1000) AS seconds
FROM
(
  SELECT
    video_id,
    run_id,
    stage,
    minIf(input_ms, input_ms > 0) AS started_ms,
    countIf(done_ms > 0) AS batches_done,
    max(batch_count) AS batches_total,
    if(batches_total > 0 AND batches_done >= batches_total, max(done_ms), toUInt64(0)) AS finished_ms,
    max(tries) AS attempts
  FROM
  (
    SELECT
      video_id,
      run_id,
      stage,
      batch,
      minIf(at_ms, kind = 'input') AS input_ms,
      minIf(at_ms, kind = 'done') AS done_ms,
      max(batch_count) AS batch_count,
      greatest(toUInt32(1), greatest(maxIf(attempt, kind = 'retrying') + toUInt32(countIf(kind = 'done') > 0), maxIf(attempt, kind = 'failed'))) AS tries,
      countIf(kind != 'input') AS worked
    FROM
    (
      SELECT video_id, run_id, 'extract' AS stage, toInt32(-1) AS batch, 'input' AS kind, version AS at_ms, toUInt32(0) AS batch_count, toUInt32(0) AS attempt
      FROM runs WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, arrayJoin(['detect', 'checks', 'scenes', 'transform']), toInt32(batch_index), 'input', version, toUInt32(0), toUInt32(0)
      FROM batches WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'extract', toInt32(batch_index), 'done', version, batch_count, toUInt32(0)
      FROM batches WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, arrayJoin(['ocr', 'track']), toInt32(batch_index), 'input', version, toUInt32(0), toUInt32(0)
      FROM detected_batches WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'detect', toInt32(batch_index), 'done', version, batch_count, toUInt32(0)
      FROM detected_batches WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'ocr', toInt32(batch_index), 'done', version, batch_count, toUInt32(0)
      FROM ocr_batches WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'checks', toInt32(batch_index), 'done', version, batch_count, toUInt32(0)
      FROM check_results WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'track', toInt32(batch_index), 'done', version, batch_count, toUInt32(0)
      FROM tracked_batches WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'scenes', toInt32(batch_index), 'done', version, batch_count, toUInt32(0)
      FROM scene_batches WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, 'transform', toInt32(batch_index), 'done', version, batch_count, toUInt32(0)
      FROM transformed_batches WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, stage, batch_index, 'retrying', version, toUInt32(0), toUInt32(attempt)
      FROM retrying_work WHERE {video_filter}
      UNION ALL
      SELECT video_id, run_id, stage, ifNull(batch_index, -1), 'failed', version, toUInt32(0), toUInt32(attempts)
      FROM failures WHERE {video_filter}
    )
    GROUP BY video_id, run_id, stage, batch
  )
  GROUP BY video_id, run_id, stage
  HAVING sum(worked) > 0
)
