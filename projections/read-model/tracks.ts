import { linkTracklets, type Track, type TrackletSummary } from '../../processors/track/core/index.ts';
import { param, type ClickHouse } from '../clickhouse-client.ts';

/** A video's track as the API and CLI present it. */
export interface TrackRow {
  track_id: string;
  class_id: number;
  class_name: string;
  first_frame: number;
  last_frame: number;
  first_timestamp_s: number;
  last_timestamp_s: number;
  frames_seen: number;
  mean_score: number;
  /** People: the jersey number its torso readings vote for (null when none was read), the winner's confidence over all crops read, and the votes cast. */
  number: string | null;
  number_confidence: number;
  frames_voted: number;
  /** The batches its tracklets are in: first, last, and how many tracklets it links. */
  first_batch: number;
  last_batch: number;
  tracklets: number;
}

/** A video's tracklets of one tracker version (its current run's), which the tracks are linked from. */
export interface VideoTracklets {
  trackerVersion: string;
  tracklets: TrackletSummary[];
}

export function trackRowOf(track: Track): TrackRow {
  return {
    track_id: track.trackId,
    class_id: track.classId,
    class_name: track.className,
    first_frame: track.firstFrame,
    last_frame: track.lastFrame,
    first_timestamp_s: track.firstTimestampS,
    last_timestamp_s: track.lastTimestampS,
    frames_seen: track.framesSeen,
    mean_score: Math.round(track.meanScore * 1e4) / 1e4,
    number: track.number,
    number_confidence: track.numberConfidence,
    frames_voted: track.framesVoted,
    first_batch: track.tracklets[0]!.batchIndex,
    last_batch: track.tracklets[track.tracklets.length - 1]!.batchIndex,
    tracklets: track.tracklets.length,
  };
}

/** The tracks of a video's tracklets: linked across batches when read, so no state but the rows. */
export const tracksOf = (tracklets: readonly TrackletSummary[]): TrackRow[] => linkTracklets(tracklets).map(trackRowOf);

const currentRunOf = `run_id = (SELECT any(run_id) FROM videos FINAL WHERE video_id = ${param('video_id')})`;

interface TrackletRecord {
  batch_index: number;
  tracklet: number;
  class_id: number;
  class_name: string;
  first_frame: number;
  last_frame: number;
  first_timestamp_s: number;
  last_timestamp_s: number;
  first_x1: number;
  first_y1: number;
  first_x2: number;
  first_y2: number;
  last_x1: number;
  last_y1: number;
  last_x2: number;
  last_y2: number;
  velocity_cx: number;
  velocity_cy: number;
  velocity_w: number;
  velocity_h: number;
  frames: number;
  score_sum: number;
  vote_numbers: string[];
  vote_confidence_sums: number[];
  vote_frames: number[];
  frames_read: number;
}

/**
 * The tracklets of a video's current run, of the tracker version that tracked its latest batch (a
 * replay with a new tracker takes over as its batches come in); undefined when none was tracked.
 */
export async function videoTracklets(client: ClickHouse, videoId: string): Promise<VideoTracklets | undefined> {
  const versions = await client.select<{ tracker_version: string }>(
    `SELECT tracker_version FROM tracked_batches FINAL WHERE video_id = ${param('video_id')} AND ${currentRunOf}
     ORDER BY version DESC, tracker_version DESC LIMIT 1`,
    { video_id: videoId },
  );
  const trackerVersion = versions[0]?.tracker_version;
  if (trackerVersion === undefined) return undefined;
  const rows = await client.select<TrackletRecord>(
    `SELECT batch_index, tracklet, class_id, class_name, first_frame, last_frame, first_timestamp_s, last_timestamp_s,
            first_x1, first_y1, first_x2, first_y2, last_x1, last_y1, last_x2, last_y2,
            velocity_cx, velocity_cy, velocity_w, velocity_h, frames, score_sum,
            vote_numbers, vote_confidence_sums, vote_frames, frames_read
     FROM tracklets FINAL WHERE video_id = ${param('video_id')} AND ${currentRunOf} AND tracker_version = ${param('tracker_version')}
     ORDER BY batch_index, tracklet`,
    { video_id: videoId, tracker_version: trackerVersion },
  );
  const n = Number;
  return {
    trackerVersion,
    tracklets: rows.map((r) => ({
      batchIndex: n(r.batch_index),
      tracklet: n(r.tracklet),
      classId: n(r.class_id),
      className: r.class_name,
      firstFrame: n(r.first_frame),
      lastFrame: n(r.last_frame),
      firstTimestampS: n(r.first_timestamp_s),
      lastTimestampS: n(r.last_timestamp_s),
      firstBox: { x1: n(r.first_x1), y1: n(r.first_y1), x2: n(r.first_x2), y2: n(r.first_y2) },
      lastBox: { x1: n(r.last_x1), y1: n(r.last_y1), x2: n(r.last_x2), y2: n(r.last_y2) },
      endVelocity: { cx: n(r.velocity_cx), cy: n(r.velocity_cy), w: n(r.velocity_w), h: n(r.velocity_h) },
      frames: n(r.frames),
      scoreSum: n(r.score_sum),
      numberVotes: r.vote_numbers.map((number, i) => ({ number, confidenceSum: n(r.vote_confidence_sums[i]), frames: n(r.vote_frames[i]) })),
      framesRead: n(r.frames_read),
    })),
  };
}
