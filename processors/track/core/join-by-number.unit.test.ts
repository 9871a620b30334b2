import { describe, expect, it } from 'vitest';
import { joinByNumber, type JoinableTrack } from './join-by-number.ts';
import { linkTracklets, summaryOf } from './link-tracklets.ts';

/** A track seen from t0 to t1 (s, 10 fps) that read `number` `readings` times at confidence 0.9, of 3 crops per reading. */
function track(trackId: string, t0: number, t1: number, number: string | null, readings = 2, className = 'person'): JoinableTrack {
  const numberVotes = number === null ? [] : [{ number, confidenceSum: 0.9 * readings, frames: readings }];
  return {
    trackId,
    className,
    firstFrame: t0 * 10,
    lastFrame: t1 * 10,
    firstTimestampS: t0,
    lastTimestampS: t1,
    framesSeen: (t1 - t0) * 10,
    meanScore: 0.6,
    number,
    numberConfidence: number === null ? 0 : 0.3,
    framesVoted: number === null ? 0 : readings,
    numberVotes,
    framesRead: 3 * readings,
    tracklets: [{ batchIndex: Number(trackId.split('.')[0]), tracklet: Number(trackId.split('.')[1]) }],
  };
}

describe('tracks joined by jersey number', () => {
  it('joins a player who left and came back: one track named after its first part, its votes re-elected', () => {
    const [joined, other] = joinByNumber([track('0.0', 0, 5, '45'), track('0.1', 1, 9, '7'), track('2.0', 7, 12, '45')], 2);
    expect(joined).toMatchObject({
      trackId: '0.0',
      firstFrame: 0,
      lastFrame: 120,
      framesSeen: 100,
      number: '45',
      numberConfidence: 0.3,
      framesVoted: 4,
      framesRead: 12,
      tracklets: [
        { batchIndex: 0, tracklet: 0 },
        { batchIndex: 2, tracklet: 0 },
      ],
    });
    expect(other!.trackId).toBe('0.1');
  });

  it('keeps apart two players wearing one number on court together (one per team), and continues the part that ended last', () => {
    const tracks = [track('0.0', 0, 4, '23'), track('0.1', 0, 6, '23'), track('1.0', 5, 9, '23'), track('2.0', 10, 12, '23')];
    const joined = joinByNumber(tracks, 2);
    // 1.0 starts while 0.1 is still seen: it continues 0.0. 2.0 starts after both groups ended: it continues the one that ended last (1.0's, at 9 s).
    expect(joined.map((t) => [t.trackId, t.tracklets.map((k) => `${k.batchIndex}.${k.tracklet}`)])).toEqual([
      ['0.0', ['0.0', '1.0', '2.0']],
      ['0.1', ['0.1']],
    ]);
  });

  it('joins only numbers read at least minReadings times in each part, of the same class', () => {
    expect(joinByNumber([track('0.0', 0, 4, '23', 1), track('1.0', 5, 9, '23')], 2)).toHaveLength(2);
    expect(joinByNumber([track('0.0', 0, 4, '23'), track('1.0', 5, 9, '23', 2, 'sports ball')], 2)).toHaveLength(2);
    expect(joinByNumber([track('0.0', 0, 4, null), track('1.0', 5, 9, null)], 2)).toHaveLength(2);
    expect(joinByNumber([track('0.0', 0, 4, '23', 1), track('1.0', 5, 9, '23', 1)], 1)).toHaveLength(1);
  });

  it('is applied by linkTracklets, whatever order the tracklets come in', () => {
    const still = (x: number) => ({ x1: x, y1: 0.2, x2: x + 0.1, y2: 0.6 });
    const part = (batchIndex: number, x: number, number: string) =>
      summaryOf(
        batchIndex,
        {
          tracklet: 0,
          classId: 0,
          className: 'person',
          points: [0, 1, 2].map((i) => ({ frameIndex: batchIndex * 30 + i, timestampS: batchIndex * 3 + i / 10, box: still(x), score: 0.6 })),
          endVelocity: { cx: 0, cy: 0, w: 0, h: 0 },
        },
        { numberVotes: [{ number, confidenceSum: 1.8, frames: 2 }], framesRead: 3 },
      );
    // Batches 0 and 2 (batch 1 saw nobody): far apart in time and place, one number.
    const summaries = [part(0, 0.1, '11'), part(2, 0.7, '11')];
    const tracks = linkTracklets(summaries);
    expect(tracks.map((t) => [t.trackId, t.framesSeen, t.number, t.framesVoted])).toEqual([['0.0', 6, '11', 4]]);
    expect(linkTracklets([...summaries].reverse())).toEqual(tracks);
  });
});
