import type { NormalisedBox } from '../../../schemas/vision.ts';
import { bufferedIou, greedyMatch } from './association.ts';
import { extrapolate, type BoxVelocity } from './box-kalman.ts';
import { electNumber, mergeVotes, type NumberVote } from './jersey-numbers.ts';
import { joinByNumber } from './join-by-number.ts';

/** What the linker needs of a batch's tracklet: its ends, and what the track sums over. */
export interface TrackletSummary {
  batchIndex: number;
  tracklet: number;
  classId: number;
  className: string;
  firstFrame: number;
  firstTimestampS: number;
  firstBox: NormalisedBox;
  lastFrame: number;
  lastTimestampS: number;
  lastBox: NormalisedBox;
  endVelocity: BoxVelocity;
  frames: number;
  scoreSum: number;
  /** Its torso readings' votes for a jersey number (people only; none when not read). */
  numberVotes: NumberVote[];
  /** Torso crops read for it. */
  framesRead: number;
}

export interface LinkOptions {
  /** Longest gap between a tracklet's last point and its continuation's first, in seconds. */
  maxGapS: number;
  /** Least IoU between the extrapolated end and the continuation's first box. */
  minIou: number;
  /** Box growth before IoU, per class (as in the tracker); 0 for classes not named. */
  buffers: Readonly<Record<string, number>>;
  /** Readings of its number each of two tracks needs before one jersey number joins them (join-by-number.ts). */
  minNumberReadings: number;
}

export const defaultLinkOptions: LinkOptions = { maxGapS: 1, minIou: 0.2, buffers: { 'sports ball': 1 }, minNumberReadings: 2 };

/** A video's track: linked tracklets of consecutive batches, and tracks of one jersey number joined. */
export interface Track {
  /** `<batch>.<tracklet>` of its first tracklet: stable once the batches before and after are in. */
  trackId: string;
  classId: number;
  className: string;
  firstFrame: number;
  lastFrame: number;
  firstTimestampS: number;
  lastTimestampS: number;
  framesSeen: number;
  meanScore: number;
  /** The jersey number its tracklets' readings vote for (null when none was read), its confidence and the votes cast. */
  number: string | null;
  numberConfidence: number;
  framesVoted: number;
  /** Its tracklets' number votes summed, and the crops read. */
  numberVotes: NumberVote[];
  framesRead: number;
  /** Its tracklets, in batch order. */
  tracklets: { batchIndex: number; tracklet: number }[];
}

export const trackletKey = (batchIndex: number, tracklet: number) => `${batchIndex}.${tracklet}`;

/**
 * Links each batch's tracklets to the next batch's: a tracklet that ends within `maxGapS` of a
 * tracklet of the same class starting in the next batch continues as it when its end, carried
 * forward at its end velocity, overlaps that start (one-to-one, best overlap first). A link depends
 * only on the two batches' tracklets, so the tracks — chains of links, named after their first
 * tracklet — are the same whatever order batches were tracked in, redelivered or rebuilt; with a
 * batch missing, the tracks on either side of it stay apart until it arrives. Tracks that read the
 * same jersey number and were never seen together are then joined (`joinByNumber`).
 */
export function linkTracklets(summaries: readonly TrackletSummary[], options: LinkOptions = defaultLinkOptions): Track[] {
  const byBatch = new Map<number, TrackletSummary[]>();
  for (const s of [...summaries].sort((a, b) => a.batchIndex - b.batchIndex || a.tracklet - b.tracklet)) {
    let list = byBatch.get(s.batchIndex);
    if (!list) byBatch.set(s.batchIndex, (list = []));
    list.push(s);
  }
  const next = new Map<string, TrackletSummary>();
  const hasPrevious = new Set<string>();
  for (const [batchIndex, left] of byBatch) {
    const right = byBatch.get(batchIndex + 1);
    if (!right) continue;
    const similarity = left.map((a) =>
      right.map((b) => {
        const gap = b.firstTimestampS - a.lastTimestampS;
        if (a.className !== b.className || gap <= 0 || gap > options.maxGapS) return 0;
        return bufferedIou(extrapolate(a.lastBox, a.endVelocity, gap), b.firstBox, options.buffers[a.className] ?? 0);
      }),
    );
    for (const [r, c] of greedyMatch(similarity, right.length, options.minIou).pairs) {
      next.set(trackletKey(left[r]!.batchIndex, left[r]!.tracklet), right[c]!);
      hasPrevious.add(trackletKey(right[c]!.batchIndex, right[c]!.tracklet));
    }
  }
  const tracks: Track[] = [];
  for (const list of byBatch.values()) {
    for (const head of list) {
      if (hasPrevious.has(trackletKey(head.batchIndex, head.tracklet))) continue;
      const chain: TrackletSummary[] = [];
      for (let s: TrackletSummary | undefined = head; s; s = next.get(trackletKey(s.batchIndex, s.tracklet))) chain.push(s);
      const last = chain[chain.length - 1]!;
      const framesSeen = chain.reduce((n, s) => n + s.frames, 0);
      const numberVotes = mergeVotes(chain.map((s) => s.numberVotes));
      const framesRead = chain.reduce((n, s) => n + s.framesRead, 0);
      tracks.push({
        trackId: trackletKey(head.batchIndex, head.tracklet),
        classId: head.classId,
        className: head.className,
        firstFrame: head.firstFrame,
        lastFrame: last.lastFrame,
        firstTimestampS: head.firstTimestampS,
        lastTimestampS: last.lastTimestampS,
        framesSeen,
        meanScore: framesSeen === 0 ? 0 : chain.reduce((n, s) => n + s.scoreSum, 0) / framesSeen,
        ...electNumber(numberVotes, framesRead),
        numberVotes,
        framesRead,
        tracklets: chain.map((s) => ({ batchIndex: s.batchIndex, tracklet: s.tracklet })),
      });
    }
  }
  const byAppearance = tracks.sort(
    (a, b) =>
      a.firstTimestampS - b.firstTimestampS || a.tracklets[0]!.batchIndex - b.tracklets[0]!.batchIndex || a.tracklets[0]!.tracklet - b.tracklets[0]!.tracklet,
  );
  return joinByNumber(byAppearance, options.minNumberReadings);
}

/** A tracklet's summary, from its points, motion and jersey-number votes (none when it was not read). */
export function summaryOf(
  batchIndex: number,
  t: {
    tracklet: number;
    classId: number;
    className: string;
    points: readonly { frameIndex: number; timestampS: number; box: NormalisedBox; score: number }[];
    endVelocity: BoxVelocity;
  },
  numbers: { numberVotes: NumberVote[]; framesRead: number } = { numberVotes: [], framesRead: 0 },
): TrackletSummary {
  const first = t.points[0]!;
  const last = t.points[t.points.length - 1]!;
  return {
    batchIndex,
    tracklet: t.tracklet,
    classId: t.classId,
    className: t.className,
    firstFrame: first.frameIndex,
    firstTimestampS: first.timestampS,
    firstBox: first.box,
    lastFrame: last.frameIndex,
    lastTimestampS: last.timestampS,
    lastBox: last.box,
    endVelocity: t.endVelocity,
    frames: t.points.length,
    scoreSum: t.points.reduce((n, p) => n + p.score, 0),
    numberVotes: numbers.numberVotes,
    framesRead: numbers.framesRead,
  };
}
