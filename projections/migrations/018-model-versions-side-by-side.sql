-- Model versions side by side: detection and OCR rows get the model (name and version: weights
-- digest and decoding settings, common/model-versions.ts) into their sorting key, so that a replay
-- with another model version (`filmroom replay detect|ocr`) writes rows beside the pipeline's
-- instead of replacing them, exactly like check versions. The batch tables also get `replay_id`:
-- empty for the pipeline's results, the replay's id for a replay's, which the job status leaves out.
-- Each table is copied into one with the new key, then swapped in by name (as in 008); the runner
-- records each statement, so an interrupted copy resumes where it stopped.

CREATE TABLE IF NOT EXISTS detected_batches_by_model (
  video_id String,
  run_id String DEFAULT '',
  model_name String,
  model_version String,
  batch_index UInt32,
  batch_count UInt32,
  event_id String,
  frames UInt32,
  detections UInt32,
  inference_ms Float64,
  replay_id String DEFAULT '',
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, model_name, model_version, batch_index);

INSERT INTO detected_batches_by_model (video_id, run_id, model_name, model_version, batch_index, batch_count, event_id, frames, detections, inference_ms, occurred_at, version) SELECT video_id, run_id, model_name, model_version, batch_index, batch_count, event_id, frames, detections, inference_ms, occurred_at, version FROM detected_batches;

DROP TABLE detected_batches;

RENAME TABLE detected_batches_by_model TO detected_batches;

CREATE TABLE IF NOT EXISTS detections_by_model (
  video_id String,
  run_id String DEFAULT '',
  model_name String,
  model_version String,
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
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, model_name, model_version, batch_index, frame_index, detection_index);

INSERT INTO detections_by_model (video_id, run_id, model_name, model_version, batch_index, frame_index, detection_index, timestamp_s, x1, y1, x2, y2, class_id, class_name, score, event_id, occurred_at, version) SELECT video_id, run_id, model_name, model_version, batch_index, frame_index, detection_index, timestamp_s, x1, y1, x2, y2, class_id, class_name, score, event_id, occurred_at, version FROM detections;

DROP TABLE detections;

RENAME TABLE detections_by_model TO detections;

CREATE TABLE IF NOT EXISTS ocr_batches_by_model (
  video_id String,
  run_id String DEFAULT '',
  model_name String,
  model_version String,
  batch_index UInt32,
  batch_count UInt32,
  event_id String,
  texts UInt32,
  regions_evaluated UInt32,
  replay_id String DEFAULT '',
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, model_name, model_version, batch_index);

INSERT INTO ocr_batches_by_model (video_id, run_id, model_name, model_version, batch_index, batch_count, event_id, texts, regions_evaluated, occurred_at, version) SELECT video_id, run_id, model_name, model_version, batch_index, batch_count, event_id, texts, regions_evaluated, occurred_at, version FROM ocr_batches;

DROP TABLE ocr_batches;

RENAME TABLE ocr_batches_by_model TO ocr_batches;

CREATE TABLE IF NOT EXISTS ocr_texts_by_model (
  video_id String,
  run_id String DEFAULT '',
  model_name String,
  model_version String,
  batch_index UInt32,
  text_index UInt32,
  frame_index UInt32,
  x1 Float32,
  y1 Float32,
  x2 Float32,
  y2 Float32,
  text String,
  confidence Float32,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, model_name, model_version, batch_index, text_index);

INSERT INTO ocr_texts_by_model (video_id, run_id, model_name, model_version, batch_index, text_index, frame_index, x1, y1, x2, y2, text, confidence, event_id, occurred_at, version) SELECT video_id, run_id, model_name, model_version, batch_index, text_index, frame_index, x1, y1, x2, y2, text, confidence, event_id, occurred_at, version FROM ocr_texts;

DROP TABLE ocr_texts;

RENAME TABLE ocr_texts_by_model TO ocr_texts;

-- Replays of detection and OCR: what they recompute, and with which model.
ALTER TABLE replays ADD COLUMN stage String DEFAULT 'checks';

ALTER TABLE replays ADD COLUMN model String DEFAULT '';

ALTER TABLE replay_completions ADD COLUMN stage String DEFAULT 'checks';

ALTER TABLE replay_completions ADD COLUMN model String DEFAULT '';
