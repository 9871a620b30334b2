import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../schemas/vision.ts';
import type { Tracklet } from './byte-tracker.ts';
import {
  defaultJerseyOptions,
  electNumber,
  jerseyNumberOf,
  laplacianVariance,
  mergeVotes,
  sharpestFrames,
  tallyVotes,
  torsoBox,
  torsoCrops,
} from './jersey-numbers.ts';

/** A grey image; `pattern` gives each pixel's level. */
function image(width: number, height: number, pattern: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(pattern(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, data };
}

describe('jersey numbers: torso box', () => {
  it('takes 18–55 % of the height of a whole standing body and the middle 70 % of its width', () => {
    // 60×180 px in a 1000×1000 frame: aspect 3.
    const torso = torsoBox({ x1: 0.1, y1: 0.2, x2: 0.16, y2: 0.38 }, 1000, 1000);
    expect(torso.x1).toBeCloseTo(0.109);
    expect(torso.x2).toBeCloseTo(0.151);
    expect(torso.y1).toBeCloseTo(0.2 + 0.18 * 0.18);
    expect(torso.y2).toBeCloseTo(0.2 + 0.55 * 0.18);
  });

  it('takes 40–90 % of a head-and-chest box, interpolates in between, and measures aspect in pixels, not normalised units', () => {
    // 100×100 px in a 1000×500 frame: normalised it looks twice as tall as wide.
    const close = torsoBox({ x1: 0.1, y1: 0.2, x2: 0.2, y2: 0.4 }, 1000, 500);
    expect([close.y1, close.y2]).toEqual([expect.closeTo(0.28), expect.closeTo(0.38)]);
    // Aspect 2 (half-way between 1.6 and 2.4): 29–72.5 %.
    const between = torsoBox({ x1: 0, y1: 0, x2: 0.1, y2: 0.2 }, 1000, 1000);
    expect([between.y1, between.y2]).toEqual([expect.closeTo(0.058), expect.closeTo(0.145)]);
  });

  it('stays inside the frame', () => {
    const torso = torsoBox({ x1: 0.95, y1: 0.9, x2: 1, y2: 1.2 }, 100, 100);
    expect(Math.max(torso.x2, torso.y2)).toBeLessThanOrEqual(1);
  });
});

describe('jersey numbers: which frames to read', () => {
  it('scores sharp crops above blurred and flat ones', () => {
    const checker = image(16, 16, (x, y) => (((x >> 1) + (y >> 1)) % 2 ? 255 : 0));
    const ramp = image(16, 16, (x) => x * 16);
    const flat = image(16, 16, () => 128);
    expect(laplacianVariance(checker)).toBeGreaterThan(laplacianVariance(ramp));
    expect(laplacianVariance(ramp)).toBeCloseTo(0);
    expect(laplacianVariance(flat)).toBe(0);
    expect(laplacianVariance(image(2, 2, () => 9))).toBe(0);
  });

  it('picks the k sharpest, ties by detector score then frame, and returns them in frame order', () => {
    const candidates = [
      { frameIndex: 0, sharpness: 5, score: 0.6 },
      { frameIndex: 1, sharpness: 9, score: 0.5 },
      { frameIndex: 2, sharpness: 1, score: 0.9 },
      { frameIndex: 3, sharpness: 5, score: 0.7 },
      { frameIndex: 4, sharpness: 9, score: 0.5 },
    ];
    expect(sharpestFrames(candidates, 3).map((c) => c.frameIndex)).toEqual([1, 3, 4]);
    expect(sharpestFrames(candidates, 2).map((c) => c.frameIndex)).toEqual([1, 4]);
    expect(sharpestFrames(candidates, 0)).toEqual([]);
  });

  it('crops people only, skips crops too small to read, and reads at most k per tracklet', () => {
    const frame = image(200, 200, (x, y) => (x * 7 + y * 13) % 256);
    const images = new Map([0, 1, 2, 3, 4].map((i) => [i, frame]));
    const points = (h: number) =>
      [0, 1, 2, 3, 4].map((i) => ({ frameIndex: i, timestampS: i / 10, box: { x1: 0.1, y1: 0.1, x2: 0.4, y2: 0.1 + h }, score: 0.6 }));
    const tracklets: Tracklet[] = [
      { tracklet: 0, classId: 0, className: 'person', points: points(0.8), endVelocity: { cx: 0, cy: 0, w: 0, h: 0 } },
      { tracklet: 1, classId: 32, className: 'sports ball', points: points(0.3), endVelocity: { cx: 0, cy: 0, w: 0, h: 0 } },
      // A torso 0.4 × 0.05 × 200 px = 8 px high: too small.
      { tracklet: 2, classId: 0, className: 'person', points: points(0.1), endVelocity: { cx: 0, cy: 0, w: 0, h: 0 } },
    ];
    const crops = torsoCrops(tracklets, images, defaultJerseyOptions);
    expect(crops.map((c) => [c.tracklet, c.frameIndex])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    // 70 % of a 60 px wide box, give or take the pixel rounding of its edges.
    expect(Math.abs(crops[0]!.crop.width - 42)).toBeLessThanOrEqual(1);
  });
});

describe('jersey numbers: readings and the vote', () => {
  it('keeps 1–2 digit readings, spaces dropped, and nothing else', () => {
    expect(['7', '23', ' 2 3 ', '00', '0'].map(jerseyNumberOf)).toEqual(['7', '23', '23', '00', '0']);
    expect(['123', 'A7', '7.', '', 'LIONS', '２３'].map(jerseyNumberOf)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('tallies confident number readings by number and counts every crop read', () => {
    const { votes, framesRead } = tallyVotes(
      [
        { text: '23', confidence: 0.9 },
        { text: '28', confidence: 0.6 },
        { text: '2 3', confidence: 0.8 },
        { text: '23', confidence: 0.3 },
        { text: 'NASA', confidence: 0.99 },
      ],
      0.5,
    );
    expect(votes).toEqual([
      { number: '23', confidenceSum: expect.closeTo(1.7), frames: 2 },
      { number: '28', confidenceSum: 0.6, frames: 1 },
    ]);
    expect(framesRead).toBe(5);
  });

  it('elects the number with the most confidence summed across tracklets, whatever their order', () => {
    const a = [{ number: '7', confidenceSum: 0.95, frames: 1 }];
    const b = [
      { number: '1', confidenceSum: 0.6, frames: 1 },
      { number: '7', confidenceSum: 0.5, frames: 1 },
    ];
    const c = [{ number: '1', confidenceSum: 0.7, frames: 1 }];
    const merged = mergeVotes([a, b, c]);
    expect(mergeVotes([c, a, b])).toEqual(merged);
    // "1" was read twice (1.3), "7" twice but more surely (1.45): confidence, not the count, decides.
    expect(electNumber(merged, 6)).toEqual({ number: '7', numberConfidence: 0.2417, framesVoted: 4 });
  });

  it('breaks ties by more readings, then the smaller number; no votes or no crops read is no number', () => {
    expect(
      electNumber(
        [
          { number: '9', confidenceSum: 1, frames: 2 },
          { number: '4', confidenceSum: 1, frames: 1 },
        ],
        3,
      ).number,
    ).toBe('9');
    expect(
      electNumber(
        [
          { number: '9', confidenceSum: 1, frames: 1 },
          { number: '4', confidenceSum: 1, frames: 1 },
        ],
        3,
      ).number,
    ).toBe('4');
    expect(electNumber([], 3)).toEqual({ number: null, numberConfidence: 0, framesVoted: 0 });
    expect(electNumber([], 0)).toEqual({ number: null, numberConfidence: 0, framesVoted: 0 });
  });
});
