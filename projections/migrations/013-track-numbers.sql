-- Jersey numbers: the track stage reads each person tracklet's sharpest torso crops with the PP-OCR
-- recogniser, and batch-tracked carries the readings' votes by number (number_votes) and how many
-- crops were read (frames_read). A track's number is elected from its tracklets' votes summed when
-- read (processors/track/core/jersey-numbers.ts), so the tables hold per-tracklet votes only.
-- Rows projected before this migration read as no votes and no crops read. 18.16 has no
-- ADD COLUMN IF NOT EXISTS: one statement per column, each recorded once it ran (migrate.ts).

ALTER TABLE tracklets ADD COLUMN vote_numbers Array(String) DEFAULT [] AFTER score_sum;

ALTER TABLE tracklets ADD COLUMN vote_confidence_sums Array(Float64) DEFAULT [] AFTER vote_numbers;

ALTER TABLE tracklets ADD COLUMN vote_frames Array(UInt32) DEFAULT [] AFTER vote_confidence_sums;

ALTER TABLE tracklets ADD COLUMN frames_read UInt32 DEFAULT 0 AFTER vote_frames;

ALTER TABLE tracked_batches ADD COLUMN number_reader_name String DEFAULT '' AFTER model_version;

ALTER TABLE tracked_batches ADD COLUMN number_reader_version String DEFAULT '' AFTER number_reader_name;
