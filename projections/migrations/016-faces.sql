-- Faces per sampled frame: the `face` detections of batch-detected (the `faces` detector, MediaPipe
-- BlazeFace, which an ingestion asks for with detectors [..., "faces"]). They stay in `detections`
-- too (the COCO export and the renders read them there); this table is the one to query for faces:
-- `SELECT * FROM faces FINAL WHERE video_id = ...`. face_index counts a frame's faces from 0.

CREATE TABLE IF NOT EXISTS faces (
  video_id String,
  run_id String DEFAULT '',
  batch_index UInt32,
  frame_index UInt32,
  face_index UInt32,
  timestamp_s Float64,
  x1 Float32,
  y1 Float32,
  x2 Float32,
  y2 Float32,
  score Float32,
  model_name String,
  model_version String,
  event_id String,
  occurred_at DateTime,
  version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (video_id, run_id, batch_index, frame_index, face_index);
