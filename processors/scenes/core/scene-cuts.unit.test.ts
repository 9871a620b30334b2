import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../schemas/vision.ts';
import { colourHistogram, frameScores, sceneChange, scenesOf, type BatchSceneScores } from './index.ts';

/** A frame of one background colour with a square of another at x (a player moving across a court). */
function frame(background: [number, number, number], square: [number, number, number], x: number, size = 64): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let px = 0; px < size; px++) {
      const inside = px >= x && px < x + 12 && y >= 20 && y < 40;
      data.set(inside ? square : background, (y * size + px) * 3);
    }
  }
  return { width: size, height: size, data };
}

const court: [number, number, number] = [196, 140, 80];
const player: [number, number, number] = [30, 30, 160];
const menu: [number, number, number] = [20, 20, 20];

/** Scores a video's frames in batches of `batchSize`, as the scenes stage does. */
function batchesOf(frames: RgbImage[], batchSize: number): BatchSceneScores[] {
  const histograms = frames.map((f) => colourHistogram(f, 1));
  const batchCount = Math.ceil(frames.length / batchSize);
  return Array.from({ length: batchCount }, (_, b) => {
    const own = histograms.slice(b * batchSize, (b + 1) * batchSize);
    return {
      batchIndex: b,
      batchCount,
      frames: own.map((h, i) => ({ frameIndex: b * batchSize + i, timestampS: (b * batchSize + i) / 10, score: i === 0 ? null : sceneChange(own[i - 1]!, h) })),
      firstHistogram: own[0]!,
      lastHistogram: own[own.length - 1]!,
    };
  });
}

describe('scene change scores', () => {
  it('are near 0 for motion within a shot and near 1 for a cut to other colours', () => {
    const a = colourHistogram(frame(court, player, 5), 1);
    const moved = colourHistogram(frame(court, player, 30), 1);
    const other = colourHistogram(frame(menu, [255, 255, 255], 5), 1);
    expect(sceneChange(a, moved)).toBe(0);
    expect(sceneChange(a, other)).toBeGreaterThan(0.9);
    expect(() => sceneChange(a, [1])).toThrow(RangeError);
  });
});

describe('scenesOf', () => {
  // 25 frames of court with a moving player, a cut to a menu at frame 25 (in batch 2 of 10 frames), back to the court at 30 (a batch boundary).
  const frames = Array.from({ length: 45 }, (_, i) => (i >= 25 && i < 30 ? frame(menu, [255, 255, 255], 10) : frame(court, player, i % 50)));

  it('finds every cut, on a batch boundary too, whatever order the batches come in', () => {
    const batches = batchesOf(frames, 10);
    const scenes = scenesOf(frameScores(batches), 0.4);
    expect(scenes.map((s) => [s.startFrame, s.endFrame])).toEqual([
      [0, 24],
      [25, 29],
      [30, 44],
    ]);
    expect(scenes[0]!.cutScore).toBeNull();
    expect(scenes[2]!.cutScore).toBeGreaterThan(0.9);
    expect(scenesOf(frameScores([...batches].reverse()), 0.4)).toEqual(scenes);
  });

  it('cannot see a cut at the start of a batch whose previous batch is missing, until it arrives', () => {
    const batches = batchesOf(frames, 10).filter((b) => b.batchIndex !== 2);
    expect(scenesOf(frameScores(batches), 0.4).map((s) => s.startFrame)).toEqual([0]);
  });

  it('a higher threshold (another scene version) finds fewer cuts from the same scores', () => {
    const scores = frameScores(batchesOf(frames, 10));
    expect(scenesOf(scores, 1.01)).toHaveLength(1);
  });
});
