-- Jersey numbers: the track stage reads each person tracklet's sharpest torso crops with the PP-OCR
-- recogniser, and batch-tracked carries the readings' votes by number (number_votes) and how many
-- crops were read (frames_read). A track's number is elected from its tracklets' votes summed when
-- read (processors/track/core/jersey-numbers.ts), so the tables hold per-tracklet votes only.
-- Rows projected before this migration read as no votes and no crops read.

ALTER TABLE tracklets
  ADD COLUMN IF NOT EXISTS vote_numbers Array(String) DEFAULT [],
  ADD COLUMN IF NOT EXISTS vote_confidence_sums Array(Float64) DEFAULT [],
  ADD COLUMN IF NOT EXISTS vote_frames Array(UInt32) DEFAULT [],
  ADD COLUMN IF NOT EXISTS frames_read UInt32 DEFAULT 0;

ALTER TABLE tracked_batches
  ADD COLUMN IF NOT EXISTS number_reader_name String DEFAULT '',
  ADD COLUMN IF NOT EXISTS number_reader_version String DEFAULT '';
