import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { NormalisedBox } from '../../../schemas/vision.ts';
import { BoxKalman } from './box-kalman.ts';
import { trackFrames, type TrackerFrame } from './byte-tracker.ts';
import { linkTracklets, summaryOf, trackletKey, type Track } from './link-tracklets.ts';
import { boxAt, court, idSwitches, syntheticDetections, type SyntheticObject } from './synthetic-trajectories.ts';

/** Tracks each batch of `batchSize` frames on its own, in the given batch order, then links them. */
function trackInBatches(frames: TrackerFrame[], batchSize: number, order?: number[]) {
  const batches = Array.from({ length: Math.ceil(frames.length / batchSize) }, (_, b) => b);
  const points = new Map<string, { frameIndex: number; box: NormalisedBox }[]>();
  const summaries = (order ?? batches).flatMap((b) =>
    trackFrames(frames.slice(b * batchSize, (b + 1) * batchSize)).map((t) => {
      points.set(trackletKey(b, t.tracklet), t.points);
      return summaryOf(b, t);
    }),
  );
  const tracks = linkTracklets(summaries);
  const byFrame = new Map<number, { trackId: string; box: NormalisedBox }[]>();
  for (const track of tracks) {
    for (const { batchIndex, tracklet } of track.tracklets) {
      for (const p of points.get(trackletKey(batchIndex, tracklet))!) {
        let list = byFrame.get(p.frameIndex);
        if (!list) byFrame.set(p.frameIndex, (list = []));
        list.push({ trackId: track.trackId, box: p.box });
      }
    }
  }
  return { tracks, byFrame };
}

describe('BoxKalman', () => {
  it('learns a constant velocity and predicts ahead of the last measurement', () => {
    const filter = new BoxKalman(boxAt(0.1, 0.5, 0.1, 0.2), 0);
    for (let i = 1; i <= 10; i++) filter.update(boxAt(0.1 + 0.02 * i, 0.5, 0.1, 0.2), i / 10);
    expect(filter.velocity().cx).toBeCloseTo(0.2, 1);
    filter.predict(1.5);
    expect((filter.box().x1 + filter.box().x2) / 2).toBeCloseTo(0.4, 1);
  });
});

describe('trackFrames (one batch)', () => {
  it('keeps one tracklet per player through a crossing and an occlusion, and ignores weak detections that start nothing', () => {
    const { frames, truth } = syntheticDetections(court(), 90);
    frames[5]!.detections = [...frames[5]!.detections, { box: boxAt(0.3, 0.9, 0.05, 0.1), classId: 0, className: 'person', score: 0.2 }];
    const tracklets = trackFrames(frames);
    expect(tracklets.map((t) => t.className)).toEqual(['person', 'person', 'person', 'person']);
    const { switches, recall } = idSwitches(frames, truth, trackInBatches(frames, 90).byFrame);
    expect(switches).toBe(0);
    expect(recall).toBeGreaterThan(0.9);
  });

  it('ends a track lost for longer than a second and starts a new one when it comes back', () => {
    const hidden: SyntheticObject = {
      id: 'E',
      className: 'person',
      at: () => boxAt(0.5, 0.5, 0.06, 0.18),
      score: (i) => (i >= 10 && i < 25 ? undefined : 0.6),
    };
    const tracklets = trackFrames(syntheticDetections([hidden], 40).frames);
    expect(tracklets.map((t) => [t.points[0]!.frameIndex / 3, t.points.length])).toEqual([
      [0, 10],
      [25, 15],
    ]);
  });

  it('follows a small ball moving a box width per frame (buffered IoU)', () => {
    const ball: SyntheticObject = { id: 'ball', className: 'sports ball', at: (i) => boxAt(0.1 + 0.015 * i, 0.4 + 0.005 * i, 0.015, 0.015), score: () => 0.5 };
    const tracklets = trackFrames(syntheticDetections([ball], 30, { jitter: 0.001 }).frames);
    expect(tracklets).toHaveLength(1);
    expect(tracklets[0]!.points).toHaveLength(30);
  });

  it('is deterministic: the same frames give the same tracklets', () => {
    const { frames } = syntheticDetections(court(), 90);
    expect(JSON.stringify(trackFrames(frames))).toBe(JSON.stringify(trackFrames(frames)));
  });
});

describe('linkTracklets (across batches)', () => {
  it('gives every player one track over batches of 30 frames, with no ID switch, whatever order the batches come in', () => {
    const { frames, truth } = syntheticDetections(court(), 90);
    const inOrder = trackInBatches(frames, 30);
    const shuffled = trackInBatches(frames, 30, [2, 0, 1]);
    const score = idSwitches(frames, truth, inOrder.byFrame);
    expect(score.switches).toBe(0);
    expect(score.recall).toBeGreaterThan(0.9);
    expect(inOrder.tracks.map((t: Track) => t.trackId)).toEqual(['0.0', '0.1', '0.2', '0.3']);
    expect(shuffled.tracks).toEqual(inOrder.tracks);
    expect(inOrder.tracks.find((t) => t.trackId === '0.3')!.tracklets.map((t) => t.batchIndex)).toEqual([0, 1, 2]);
  });

  it('keeps the tracks on either side of a missing batch apart until it arrives', () => {
    const { frames } = syntheticDetections(court(), 90);
    const summaries = (batches: number[]) => batches.flatMap((b) => trackFrames(frames.slice(b * 30, (b + 1) * 30)).map((t) => summaryOf(b, t)));
    const partial = linkTracklets(summaries([0, 2]));
    expect(partial).toHaveLength(8); // all four players in batch 0 and again in batch 2
    expect(linkTracklets(summaries([0, 1, 2]))).toHaveLength(4);
  });

  it('does not link a tracklet to another class or across a gap longer than a second', () => {
    const a: SyntheticObject = { id: 'a', className: 'person', at: (i) => (i < 30 ? boxAt(0.5, 0.5, 0.06, 0.18) : undefined) };
    const b: SyntheticObject = { id: 'b', className: 'sports ball', at: (i) => (i >= 30 ? boxAt(0.5, 0.5, 0.06, 0.18) : undefined) };
    const c: SyntheticObject = { id: 'c', className: 'person', at: (i) => (i >= 45 ? boxAt(0.5, 0.5, 0.06, 0.18) : undefined) };
    const { frames } = syntheticDetections([a, b, c], 60);
    const summaries = [0, 1].flatMap((batch) => trackFrames(frames.slice(batch * 30, batch * 30 + 30)).map((t) => summaryOf(batch, t)));
    expect(linkTracklets(summaries)).toHaveLength(3);
  });
});

describe('tracking cost', () => {
  it('tracks 10 players over 900 frames in well under a millisecond per frame', () => {
    const players: SyntheticObject[] = Array.from({ length: 10 }, (_, k) => ({
      id: `p${k}`,
      className: 'person',
      at: (i) => boxAt(0.05 + ((k * 0.09 + i * 0.002) % 0.9), 0.2 + 0.06 * k, 0.05, 0.15),
    }));
    const { frames } = syntheticDetections(players, 900);
    const began = performance.now();
    const tracklets = [...Array(30).keys()].flatMap((b) => trackFrames(frames.slice(b * 30, b * 30 + 30)).map((t) => summaryOf(b, t)));
    linkTracklets(tracklets);
    const msPerFrame = (performance.now() - began) / 900;
    console.log(`tracking: ${msPerFrame.toFixed(3)} ms per frame (10 players, 900 frames)`);
    expect(msPerFrame).toBeLessThan(2);
  });
});
