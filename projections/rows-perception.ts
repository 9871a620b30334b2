import { summaryOf } from '../processors/track/core/index.ts';
import { stamp, type RowBuilders } from './rows-helpers.ts';

/**
 * Perception results. The rows of batch-tracked: one per batch (tracked_batches), per tracklet (tracklets: its ends and
 * sums and jersey-number votes, what the linker reads) and per tracklet point (track_points: what exports read).
 */
export const perceptionRows: RowBuilders<'batch-tracked' | 'batch-scene-scored'> = {
  'batch-tracked': (t) => {
    const batch = { video_id: t.video_id, run_id: t.run_id, tracker_version: t.tracker_version, batch_index: t.batch_index };
    const model = { model_name: t.model.name, model_version: t.model.version };
    const stamped = stamp(t);
    return [
      {
        table: 'tracked_batches',
        row: {
          ...batch,
          batch_count: t.batch_count,
          tracklets: t.tracklets.length,
          ...model,
          number_reader_name: t.number_reader?.name ?? '',
          number_reader_version: t.number_reader?.version ?? '',
          ...stamped,
        },
      },
      ...t.tracklets.map((tracklet) => {
        const s = summaryOf(t.batch_index, {
          tracklet: tracklet.tracklet,
          classId: tracklet.class_id,
          className: tracklet.class_name,
          points: tracklet.points.map((p) => ({ frameIndex: p.frame_index, timestampS: p.timestamp_s, box: p.box, score: p.score })),
          endVelocity: tracklet.end_velocity,
        });
        const votes = tracklet.number_votes;
        return {
          table: 'tracklets',
          row: {
            ...batch,
            tracklet: s.tracklet,
            class_id: s.classId,
            class_name: s.className,
            first_frame: s.firstFrame,
            last_frame: s.lastFrame,
            first_timestamp_s: s.firstTimestampS,
            last_timestamp_s: s.lastTimestampS,
            first_x1: s.firstBox.x1,
            first_y1: s.firstBox.y1,
            first_x2: s.firstBox.x2,
            first_y2: s.firstBox.y2,
            last_x1: s.lastBox.x1,
            last_y1: s.lastBox.y1,
            last_x2: s.lastBox.x2,
            last_y2: s.lastBox.y2,
            velocity_cx: s.endVelocity.cx,
            velocity_cy: s.endVelocity.cy,
            velocity_w: s.endVelocity.w,
            velocity_h: s.endVelocity.h,
            frames: s.frames,
            score_sum: s.scoreSum,
            vote_numbers: votes.map((v) => v.number),
            vote_confidence_sums: votes.map((v) => v.confidence_sum),
            vote_frames: votes.map((v) => v.frames),
            frames_read: tracklet.frames_read,
            ...model,
            ...stamped,
          },
        };
      }),
      ...t.tracklets.flatMap((tracklet) =>
        tracklet.points.map((p) => ({
          table: 'track_points',
          row: {
            ...batch,
            tracklet: tracklet.tracklet,
            frame_index: p.frame_index,
            timestamp_s: p.timestamp_s,
            ...p.box,
            score: p.score,
            class_id: tracklet.class_id,
            class_name: tracklet.class_name,
            ...stamped,
          },
        })),
      ),
    ];
  },
  /** One row per batch (its end histograms: what scores its first frame against the batch before) and per sampled frame. */
  'batch-scene-scored': (s) => {
    const batch = { video_id: s.video_id, run_id: s.run_id, scorer_version: s.scorer_version, batch_index: s.batch_index };
    const stamped = stamp(s);
    return [
      {
        table: 'scene_batches',
        row: {
          ...batch,
          batch_count: s.batch_count,
          frames: s.frames.length,
          first_histogram: s.first_histogram,
          last_histogram: s.last_histogram,
          ...stamped,
        },
      },
      ...s.frames.map((f) => ({
        table: 'scene_scores',
        row: { ...batch, frame_index: f.frame_index, timestamp_s: f.timestamp_s, score: f.score, ...stamped },
      })),
    ];
  },
};
