import { assertLumaFrames, columnStats, rowStats, type LumaFrame, type LumaStats } from './frame.ts';
import { countFlagged, meanOf, ratio, withDefaults, type CheckMeasurement } from './measurement.ts';

export interface LetterboxThresholds {
  /** A border row/column has a mean luma at most this. Default 24: above true black, to survive codec lift and studio-range black (16). */
  borderLuma: number;
  /** A frame is flagged when any one border is at least this fraction of its dimension. Default 0.04 (7 rows of 180, 13 columns of 320). */
  minBorderFraction: number;
  /** A border row/column is also uniform: its std-dev is at most this. Default 6, so compression noise passes and a dark scene's detail does not. */
  maxBorderStd: number;
}

export const defaultLetterboxThresholds: Readonly<LetterboxThresholds> = Object.freeze({ borderLuma: 24, minBorderFraction: 0.04, maxBorderStd: 6 });

/** Below this share of the frame the "content" is a speck on a dark screen, not a picture inside bars. */
const minEvaluableContentRatio = 0.1;

/** The picture's box in pixels: [x1, x2) × [y1, y2). */
export interface ContentBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Content box of one frame: rows are peeled from the top and bottom, then columns from the left and right (within the remaining
 * rows), while they look like a black bar: dark and uniform. An entirely dark frame yields an empty box.
 */
export function findContentBox(frame: LumaFrame, thresholds: Readonly<LetterboxThresholds>): ContentBox {
  const { width, height } = frame;
  const isBorder = (stats: LumaStats) => stats.mean <= thresholds.borderLuma && stats.std <= thresholds.maxBorderStd;
  let y1 = 0;
  while (y1 < height && isBorder(rowStats(frame, y1))) y1++;
  let y2 = height;
  while (y2 > y1 && isBorder(rowStats(frame, y2 - 1))) y2--;
  if (y1 === y2) return { x1: 0, y1, x2: 0, y2 };
  let x1 = 0;
  while (x1 < width && isBorder(columnStats(frame, x1, y1, y2))) x1++;
  let x2 = width;
  while (x2 > x1 && isBorder(columnStats(frame, x2 - 1, y1, y2))) x2--;
  return { x1, y1, x2, y2 };
}

/**
 * Letterboxing, pillarboxing or content not filling the frame (the old pipeline's `is_dpi_scale_issue`): a frame is flagged when
 * any black border of its content box is at least `minBorderFraction` of that dimension.
 *
 * A frame whose content box is empty or under 10% of its area is not evaluable: it is a dark frame (the dark check's business),
 * so it is never flagged here and is left out of the content-box means. When no frame is evaluable the means describe the full
 * frame, i.e. "no border seen". Limits: a dark, flat sky or floor at a frame edge reads as a bar, and bars that are not near
 * black (blurred or coloured fills) are not seen.
 *
 * Measures: `letterbox_frames`, `letterbox_ratio` (flagged / frames), `letterbox_evaluable_frames`, `content_ratio_mean`
 * (content box area / frame area) and `content_x1_mean`, `content_y1_mean`, `content_x2_mean`, `content_y2_mean` (the box
 * normalised to 0..1), averaged over the evaluable frames.
 */
export function measureLetterbox(frames: readonly LumaFrame[], thresholds?: Partial<LetterboxThresholds>): CheckMeasurement {
  const settings = withDefaults(defaultLetterboxThresholds, thresholds);
  assertLumaFrames(frames);
  const contentRatios: number[] = [];
  const boxes = { x1: [] as number[], y1: [] as number[], x2: [] as number[], y2: [] as number[] };
  const flaggedFrames = frames.map((frame) => {
    const { width, height } = frame;
    const box = findContentBox(frame, settings);
    const contentRatio = ((box.x2 - box.x1) * (box.y2 - box.y1)) / (width * height);
    if (contentRatio < minEvaluableContentRatio) return false;
    contentRatios.push(contentRatio);
    boxes.x1.push(box.x1 / width);
    boxes.y1.push(box.y1 / height);
    boxes.x2.push(box.x2 / width);
    boxes.y2.push(box.y2 / height);
    const minRows = settings.minBorderFraction * height;
    const minColumns = settings.minBorderFraction * width;
    return box.y1 >= minRows || height - box.y2 >= minRows || box.x1 >= minColumns || width - box.x2 >= minColumns;
  });
  const letterboxFrames = countFlagged(flaggedFrames);
  const evaluable = contentRatios.length;
  const meanOr = (values: number[], none: number) => (evaluable > 0 ? meanOf(values) : none);
  return {
    measures: {
      letterbox_frames: letterboxFrames,
      letterbox_ratio: ratio(letterboxFrames, frames.length),
      letterbox_evaluable_frames: evaluable,
      content_ratio_mean: meanOr(contentRatios, 1),
      content_x1_mean: meanOr(boxes.x1, 0),
      content_y1_mean: meanOr(boxes.y1, 0),
      content_x2_mean: meanOr(boxes.x2, 1),
      content_y2_mean: meanOr(boxes.y2, 1),
    },
    framesEvaluated: frames.length,
    flaggedFrames,
  };
}
