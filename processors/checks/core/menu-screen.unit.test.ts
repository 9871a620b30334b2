import { describe, expect, it } from 'vitest';
import { defaultMenuThresholds, measureMenu, menuStructure } from './menu-screen.ts';
import { asBatch, checkerboard, noiseFrame, solidFrame, withNoise, withTextBlocks } from './synthetic-frames.ts';

// A mid-grey menu with four lines of dark glyphs, and a second menu page with different text.
const menu = withTextBlocks(solidFrame(320, 180, 128), { lineTops: [30, 60, 90, 120] });
const otherMenu = withTextBlocks(solidFrame(320, 180, 128), { lineTops: [40, 100], left: 60, seed: 9 });

describe('menu screens', () => {
  it('given a flat background with text-like strokes, most blocks are flat and some are text', () => {
    const structure = menuStructure(menu, defaultMenuThresholds);
    expect(structure.flatBlockRatio).toBeGreaterThan(0.7);
    expect(structure.textBlockRatio).toBeGreaterThan(0.1);
    expect(structure.textBlockRatio).toBeLessThan(0.3);
  });

  it('given a static menu repeated with codec noise, every frame is a menu', () => {
    const frames = asBatch([1, 2, 3, 4, 5].map((seed) => withNoise(menu, seed, 2)));
    const result = measureMenu(frames);
    expect(result.flaggedFrames).toEqual([true, true, true, true, true]);
    expect(result.measures.menu_frames).toBe(5);
    expect(result.measures.menu_ratio).toBe(1);
    expect(result.measures.flat_block_ratio_mean).toBeGreaterThan(0.7);
  });

  it('given noise frames (gameplay-like texture), none is a menu and no block is flat', () => {
    const result = measureMenu(asBatch([1, 2, 3].map((seed) => noiseFrame(320, 180, seed))));
    expect(result.measures).toMatchObject({ menu_frames: 0, menu_ratio: 0, flat_block_ratio_mean: 0 });
  });

  it('given static noise (a paused noisy scene), it is still not a menu', () => {
    const still = noiseFrame(320, 180, 1);
    expect(measureMenu([still, still]).measures.menu_frames).toBe(0);
  });

  it('given all-black frames, none is a menu: all flat but no text', () => {
    const black = solidFrame(320, 180, 0);
    const result = measureMenu([black, black, black]);
    expect(result.measures).toEqual({ menu_frames: 0, menu_ratio: 0, flat_block_ratio_mean: 1, text_block_ratio_mean: 0 });
  });

  it('given a dark menu with light text, it is a menu although it is dark', () => {
    const darkMenu = withTextBlocks(solidFrame(320, 180, 10), { lineTops: [40, 80], ink: 230 });
    expect(measureMenu([darkMenu, darkMenu]).flaggedFrames).toEqual([true, true]);
  });

  it('given a static frame that is 55% flat and 45% fine texture, it is too busy to be text on a background', () => {
    // Blocks are 8 px: the left 176 of 320 columns (22 of 40 blocks) flat grey, the rest a 2-pixel checkerboard.
    const texture = checkerboard(320, 180, 2);
    const luma = new Uint8Array(texture.luma);
    for (let y = 0; y < 180; y++) luma.fill(128, y * 320, y * 320 + 176);
    const busy = { ...texture, luma };
    expect(menuStructure(busy, defaultMenuThresholds)).toEqual({ flatBlockRatio: 22 / 40, textBlockRatio: 18 / 40 });
    expect(measureMenu([busy, busy]).measures.menu_frames).toBe(0);
    expect(measureMenu([busy, busy], { maxTextBlockRatio: 0.5 }).measures.menu_frames).toBe(2);
  });

  it('given a change of menu page, the changed frame is not static; the first frame is judged against the second', () => {
    const result = measureMenu(asBatch([menu, menu, otherMenu, otherMenu]));
    expect(result.flaggedFrames).toEqual([true, true, false, true]);
    expect(result.measures.menu_ratio).toBe(0.75);
  });

  it('given a menu first followed by gameplay, the first frame is not static; alone in a batch, it is judged on structure', () => {
    expect(measureMenu([menu, noiseFrame(320, 180, 2)]).flaggedFrames).toEqual([false, false]);
    expect(measureMenu([menu]).flaggedFrames).toEqual([true]);
  });

  it('given a looser static threshold, a page change counts as a menu', () => {
    expect(measureMenu([menu, otherMenu], { maxStaticMeanAbsDiff: 100 }).flaggedFrames).toEqual([true, true]);
  });
});
