import { electNumber, mergeVotes, type NumberVote } from './jersey-numbers.ts';

/** What joining needs of a linked track (link-tracklets.ts's Track). */
export interface JoinableTrack {
  trackId: string;
  className: string;
  firstFrame: number;
  lastFrame: number;
  firstTimestampS: number;
  lastTimestampS: number;
  framesSeen: number;
  meanScore: number;
  number: string | null;
  numberConfidence: number;
  framesVoted: number;
  numberVotes: NumberVote[];
  framesRead: number;
  tracklets: { batchIndex: number; tracklet: number }[];
}

/**
 * Joins the tracks of one player that motion could not link: a player who left the picture and came
 * back, or was hidden for longer than the linker bridges, is one track again when both parts read
 * the same jersey number. Two tracks join when they are of the same class, both elected the same
 * number with at least `minReadings` readings of it each, and were never seen at the same time (two
 * players wearing one number — one per team — are on court together and stay apart). In order of
 * first appearance, a track continues the group of its number that ended last before it starts;
 * with none, it starts a group, named after its first track. The groups depend only on the set of
 * tracks, so they are as order-independent and rebuildable as the links.
 */
export function joinByNumber<T extends JoinableTrack>(tracks: readonly T[], minReadings: number): T[] {
  const joinable = (t: T) => t.number !== null && (t.numberVotes.find((v) => v.number === t.number)?.frames ?? 0) >= minReadings;
  const groups: T[][] = [];
  for (const track of tracks) {
    const candidates = joinable(track)
      ? groups.filter((g) => {
          const last = g[g.length - 1]!;
          return joinable(g[0]!) && g[0]!.className === track.className && g[0]!.number === track.number && last.lastTimestampS < track.firstTimestampS;
        })
      : [];
    const group = candidates.sort((a, b) => b[b.length - 1]!.lastTimestampS - a[a.length - 1]!.lastTimestampS)[0];
    if (group) group.push(track);
    else groups.push([track]);
  }
  return groups.map((group) => (group.length === 1 ? group[0]! : joined(group)));
}

function joined<T extends JoinableTrack>(group: readonly T[]): T {
  const head = group[0]!;
  const last = group[group.length - 1]!;
  const framesSeen = group.reduce((n, t) => n + t.framesSeen, 0);
  const numberVotes = mergeVotes(group.map((t) => t.numberVotes));
  const framesRead = group.reduce((n, t) => n + t.framesRead, 0);
  return {
    ...head,
    lastFrame: last.lastFrame,
    lastTimestampS: last.lastTimestampS,
    framesSeen,
    meanScore: framesSeen === 0 ? 0 : group.reduce((n, t) => n + t.meanScore * t.framesSeen, 0) / framesSeen,
    ...electNumber(numberVotes, framesRead),
    numberVotes,
    framesRead,
    tracklets: group.flatMap((t) => t.tracklets),
  };
}
