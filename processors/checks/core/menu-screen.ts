import { assertLumaFrames, blockStatistics, meanAbsDiff, type LumaFrame } from './frame.ts';
import { countFlagged, meanOf, ratio, withDefaults, type CheckMeasurement } from './measurement.ts';

export interface MenuThresholds {
  /** Side of the square blocks the frame is cut into, in pixels. Default 8. */
  blockSize: number;
  /** A block is flat when its luma std-dev is at most this. Default 3: a UI fill with codec noise, not a textured surface. */
  flatBlockMaxStd: number;
  /** A block is text-like when its luma range (max − min) is at least this: a glyph stroke against its background. Default 48. */
  textBlockMinRange: number;
  /** A menu has at least this share of flat blocks. Default 0.5. */
  minFlatBlockRatio: number;
  /** A menu has at least this share of text-like blocks (about one short line at 320x180). Default 0.02. */
  minTextBlockRatio: number;
  /** …and at most this share: beyond it the frame is busy texture, not text on a background. Default 0.4. */
  maxTextBlockRatio: number;
  /** A menu is static: its mean absolute difference to the neighbouring sampled frame is at most this (0..255). Default 2, allowing a blinking cursor or codec noise. */
  maxStaticMeanAbsDiff: number;
}

export const defaultMenuThresholds: Readonly<MenuThresholds> = Object.freeze({
  blockSize: 8,
  flatBlockMaxStd: 3,
  textBlockMinRange: 48,
  minFlatBlockRatio: 0.5,
  minTextBlockRatio: 0.02,
  maxTextBlockRatio: 0.4,
  maxStaticMeanAbsDiff: 2,
});

/** Flat and text-like block shares of one frame. */
export interface MenuStructure {
  flatBlockRatio: number;
  textBlockRatio: number;
}

export function menuStructure(frame: LumaFrame, thresholds: Readonly<MenuThresholds>): MenuStructure {
  const blocks = blockStatistics(frame, thresholds.blockSize);
  const count = blocks.std.length;
  let flat = 0;
  let text = 0;
  for (let i = 0; i < count; i++) {
    if (blocks.std[i]! <= thresholds.flatBlockMaxStd) flat++;
    else if (blocks.range[i]! >= thresholds.textBlockMinRange) text++;
  }
  return { flatBlockRatio: ratio(flat, count), textBlockRatio: ratio(text, count) };
}

/**
 * Menu/UI screens (the old pipeline's `video_menu_percent`, here a 0..1 ratio per batch). The frame is cut into blocks; a frame is a
 * menu when it is
 * - mostly flat: at least `minFlatBlockRatio` of its blocks have almost no variation (UI fills, plain backgrounds);
 * - text-like: a moderate share of blocks (`minTextBlockRatio`..`maxTextBlockRatio`) hold high local contrast, as glyph strokes do;
 * - static: it barely differs from its neighbouring sampled frame.
 * Natural and noisy gameplay fails the first test; black, dark or solid frames fail the second (no strokes), though a dark
 * menu with light text passes, as it should. The static test compares each frame with the previous one; the first frame of a
 * batch is compared with the second instead, so it is held to the same rule, and a batch of one frame is judged on structure alone.
 *
 * Limits: menus over animated or video backgrounds fail the static test, and menus over blurred gameplay may not be flat enough;
 * a paused or static HUD-heavy scene with large flat areas (sky, pixel-art fills) can pass as a menu, as can title cards and
 * loading screens, which are arguably menus anyway.
 *
 * Measures: `menu_frames`, `menu_ratio` (menu / frames), `flat_block_ratio_mean`, `text_block_ratio_mean` (over all frames).
 */
export function measureMenu(frames: readonly LumaFrame[], thresholds?: Partial<MenuThresholds>): CheckMeasurement {
  const settings = withDefaults(defaultMenuThresholds, thresholds);
  assertLumaFrames(frames);
  const structures = frames.map((frame) => menuStructure(frame, settings));
  const flaggedFrames = frames.map((frame, i) => {
    const { flatBlockRatio, textBlockRatio } = structures[i]!;
    const looksLikeMenu =
      flatBlockRatio >= settings.minFlatBlockRatio && textBlockRatio >= settings.minTextBlockRatio && textBlockRatio <= settings.maxTextBlockRatio;
    if (!looksLikeMenu) return false;
    const neighbour = i > 0 ? frames[i - 1] : frames[1];
    return !neighbour || meanAbsDiff(neighbour, frame) <= settings.maxStaticMeanAbsDiff;
  });
  const menuFrames = countFlagged(flaggedFrames);
  return {
    measures: {
      menu_frames: menuFrames,
      menu_ratio: ratio(menuFrames, frames.length),
      flat_block_ratio_mean: meanOf(structures.map((s) => s.flatBlockRatio)),
      text_block_ratio_mean: meanOf(structures.map((s) => s.textBlockRatio)),
    },
    framesEvaluated: frames.length,
    flaggedFrames,
  };
}
