-- The transform stage in job status. `videos` keeps what the current run asked for beyond its
-- stages — the transform (part of the run id) and the detectors — so that the status knows the
-- transform is to come and a whole-video retry sends the same ingestion again. Videos ingested
-- before this migration read '' and the default detectors until `projections rebuild` replays
-- their video-ingested events. job_status_latest gets the transform's columns (computed by
-- projections/views/job_status_computed.sql). ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS:
-- the runner records each statement, so none runs twice.

ALTER TABLE videos ADD COLUMN detectors Array(String) DEFAULT ['objects', 'text'] AFTER stages;

ALTER TABLE videos ADD COLUMN transform String DEFAULT '' AFTER detectors;

ALTER TABLE job_status_latest ADD COLUMN transform String DEFAULT '' AFTER render_progress;

ALTER TABLE job_status_latest ADD COLUMN batches_transformed UInt64 DEFAULT 0 AFTER transform;

ALTER TABLE job_status_latest ADD COLUMN transformed UInt8 DEFAULT 0 AFTER batches_transformed;

ALTER TABLE job_status_latest ADD COLUMN transform_over UInt8 DEFAULT 1 AFTER transformed;

ALTER TABLE job_status_latest ADD COLUMN transform_progress String DEFAULT '' AFTER transform_over;

ALTER TABLE job_status_latest ADD COLUMN transform_eta_from_ms UInt64 DEFAULT 0 AFTER checks_eta_rest_ms;

ALTER TABLE job_status_latest ADD COLUMN transform_eta_rest_ms Float64 DEFAULT 0 AFTER transform_eta_from_ms;
