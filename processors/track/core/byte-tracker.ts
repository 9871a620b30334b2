import type { NormalisedBox } from '../../../schemas/vision.ts';
import { bufferedIou, greedyMatch } from './association.ts';
import { BoxKalman, type BoxVelocity } from './box-kalman.ts';

/** One sampled frame's detections, as batch-detected carries them. */
export interface TrackerFrame {
  frameIndex: number;
  timestampS: number;
  detections: readonly { box: NormalisedBox; classId: number; className: string; score: number }[];
}

export interface TrackPoint {
  frameIndex: number;
  timestampS: number;
  box: NormalisedBox;
  score: number;
}

/** A track within one batch: its points (the matched detections, as detected) and its motion at its last point. */
export interface Tracklet {
  /** Its number within the batch: tracklets ordered by first frame, then class order, then birth. */
  tracklet: number;
  classId: number;
  className: string;
  points: TrackPoint[];
  /** The filter's velocity after the last point, per second: what the linker extrapolates with. */
  endVelocity: BoxVelocity;
}

export interface ClassTracking {
  className: string;
  /** Grows boxes by this share of their size before IoU (0 for people; the ball is small and fast). */
  buffer: number;
}

export interface TrackerOptions {
  classes: readonly ClassTracking[];
  /** Detections at or above this score are matched first (ByteTrack's high set). */
  highScore: number;
  /** Detections from here up to highScore only continue tracks (ByteTrack's low-score second pass). */
  lowScore: number;
  /** A new track starts only from a detection at or above this score. */
  newTrackScore: number;
  /** Least IoU with a track's prediction for a high (first pass) and a low (second pass) detection. */
  matchIou: number;
  lowMatchIou: number;
  /** A track not matched for longer than this is ended. */
  maxLostS: number;
}

/**
 * Defaults after ByteTrack's (high 0.5 → here 0.45, NanoDet scores people 0.5–0.66; second pass
 * IoU 0.5) with a lost-track lifetime of one second, like ByteTrack's 30 frames at 30 fps.
 */
export const defaultTrackerOptions: TrackerOptions = {
  classes: [
    { className: 'person', buffer: 0 },
    { className: 'sports ball', buffer: 1 },
  ],
  highScore: 0.45,
  lowScore: 0.1,
  newTrackScore: 0.45,
  matchIou: 0.2,
  lowMatchIou: 0.5,
  maxLostS: 1,
};

interface LiveTrack {
  birth: number;
  classId: number;
  className: string;
  filter: BoxKalman;
  points: TrackPoint[];
  lastT: number;
}

/** Tracks one class over the frames (time order), ByteTrack-style. */
function trackClass(frames: readonly TrackerFrame[], cls: ClassTracking, options: TrackerOptions): LiveTrack[] {
  const finished: LiveTrack[] = [];
  let live: LiveTrack[] = [];
  let births = 0;
  let previousT = Number.NEGATIVE_INFINITY;
  for (const frame of frames) {
    const t = frame.timestampS;
    // Tracks lost for too long end before this frame is associated.
    const kept: LiveTrack[] = [];
    for (const track of live) (t - track.lastT > options.maxLostS ? finished : kept).push(track);
    live = kept;
    for (const track of live) {
      if (track.lastT < previousT) track.filter.holdSize();
      track.filter.predict(t);
    }
    const dets = frame.detections.filter((d) => d.className === cls.className && d.score >= options.lowScore);
    const high = dets.filter((d) => d.score >= options.highScore);
    const low = dets.filter((d) => d.score < options.highScore);
    const predicted = live.map((track) => track.filter.box());
    const first = greedyMatch(
      predicted.map((p) => high.map((d) => bufferedIou(p, d.box, cls.buffer))),
      high.length,
      options.matchIou,
    );
    const matched = (track: LiveTrack, det: (typeof dets)[number]) => {
      track.filter.update(det.box, t);
      track.points.push({ frameIndex: frame.frameIndex, timestampS: t, box: det.box, score: det.score });
      track.lastT = t;
    };
    for (const [r, c] of first.pairs) matched(live[r]!, high[c]!);
    const second = greedyMatch(
      first.rows.map((r) => low.map((d) => bufferedIou(predicted[r]!, d.box, cls.buffer))),
      low.length,
      options.lowMatchIou,
    );
    for (const [i, c] of second.pairs) matched(live[first.rows[i]!]!, low[c]!);
    for (const c of first.columns) {
      const det = high[c]!;
      if (det.score < options.newTrackScore) continue;
      live.push({
        birth: births++,
        classId: det.classId,
        className: det.className,
        filter: new BoxKalman(det.box, t),
        points: [{ frameIndex: frame.frameIndex, timestampS: t, box: det.box, score: det.score }],
        lastT: t,
      });
    }
    previousT = t;
  }
  return [...finished, ...live];
}

/**
 * Links the person and ball detections of consecutive frames into tracklets: a Kalman prediction
 * per track, IoU association of the confident detections, then of the weak ones with the tracks
 * left over (ByteTrack's second pass, which keeps a player through a partial occlusion), new tracks
 * from confident unmatched detections, and an end to tracks lost for longer than `maxLostS`.
 * Pure and deterministic: the same frames always give the same tracklets in the same order.
 */
export function trackFrames(frames: readonly TrackerFrame[], options: TrackerOptions = defaultTrackerOptions): Tracklet[] {
  const ordered = [...frames].sort((a, b) => a.timestampS - b.timestampS || a.frameIndex - b.frameIndex);
  const all = options.classes.flatMap((cls, classOrder) => trackClass(ordered, cls, options).map((track) => ({ track, classOrder })));
  all.sort((a, b) => a.track.points[0]!.timestampS - b.track.points[0]!.timestampS || a.classOrder - b.classOrder || a.track.birth - b.track.birth);
  return all.map(({ track }, tracklet) => ({
    tracklet,
    classId: track.classId,
    className: track.className,
    points: track.points,
    endVelocity: track.filter.velocity(),
  }));
}
