-- Whether a row of `failures` still counts: the one place this rule is written. The views include
-- it as {fragment:unresolved_failure} (job_status_computed, manifests_computed), the read model's
-- failure listing (projections/read-model/failures.ts) through `fragmentSql`. A failure counts
-- until the same work of the same run succeeded (a retry): the same batch's detection, OCR or
-- checks (not a detection or OCR replay's: another model version is no part of the job), the same
-- batch's transform (a failed stitch is the failure of the batch that found every batch done, whose
-- batch-transformed comes with the stitched video), or, for RENDER, the video's render whatever the
-- batch. A failed extraction is never resolved here: the batches it did not reach will never come.
-- {video_filter} is the including query's, so a recomputation of some videos reads only their rows.
(video_id, run_id, stage, ifNull(batch_index, -1)) NOT IN (
  SELECT video_id, run_id, 'detect', toInt32(batch_index) FROM detected_batches WHERE {video_filter} AND replay_id = ''
  UNION ALL SELECT video_id, run_id, 'ocr', toInt32(batch_index) FROM ocr_batches WHERE {video_filter} AND replay_id = ''
  UNION ALL SELECT video_id, run_id, 'checks', toInt32(batch_index) FROM check_results WHERE {video_filter}
  UNION ALL SELECT video_id, run_id, 'transform', toInt32(batch_index) FROM transformed_batches WHERE {video_filter})
AND NOT (stage = 'render' AND (video_id, run_id) IN (SELECT video_id, run_id FROM renders WHERE {video_filter}))
