import type { LumaFrame } from './frame.ts';
import { seededRandom } from '../../../common/seeded-random.ts';

/**
 * Synthetic luma frames with known answers, for the checks' unit tests and the adapter's tests. Pure and deterministic:
 * the same arguments always build the same bytes.
 */

export function frameOf(width: number, height: number, luma: Uint8Array, frameIndex = 0, timestampS = 0): LumaFrame {
  return { width, height, luma, frameIndex, timestampS };
}

function copyOf(frame: LumaFrame): LumaFrame {
  return { ...frame, luma: new Uint8Array(frame.luma) };
}

/** Clamps and rounds to a luma byte. */
function toByte(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

export function solidFrame(width: number, height: number, value: number): LumaFrame {
  return frameOf(width, height, new Uint8Array(width * height).fill(toByte(value)));
}

/** Uniform noise in [min, max], from a seeded PRNG. */
export function noiseFrame(width: number, height: number, seed: number, min = 0, max = 255): LumaFrame {
  const random = seededRandom(seed);
  const luma = new Uint8Array(width * height);
  for (let i = 0; i < luma.length; i++) luma[i] = min + Math.floor(random() * (max - min + 1));
  return frameOf(width, height, luma);
}

/** Squares of `cell` pixels alternating between a and b, starting with a at the top left. */
export function checkerboard(width: number, height: number, cell: number, a = 0, b = 255): LumaFrame {
  const luma = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) luma[y * width + x] = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? a : b;
  }
  return frameOf(width, height, luma);
}

/** A copy with bars painted over the top and bottom rows (letterbox) and the left and right columns (pillarbox). */
export function letterboxed(frame: LumaFrame, topBottomRows: number, leftRightCols: number, borderValue = 0): LumaFrame {
  const out = copyOf(frame);
  const { width, height, luma } = out;
  for (let y = 0; y < height; y++) {
    const inBar = y < topBottomRows || y >= height - topBottomRows;
    for (let x = 0; x < width; x++) {
      if (inBar || x < leftRightCols || x >= width - leftRightCols) luma[y * width + x] = borderValue;
    }
  }
  return out;
}

export interface TextBlockOptions {
  /** Top row of each line of text. */
  lineTops: readonly number[];
  /** Left column of the first glyph on every line. Default 16. */
  left?: number;
  /** Glyphs per line. Default 30. */
  glyphsPerLine?: number;
  /** Glyph cell size in pixels (the glyph plus one pixel of spacing). Default 6x9. */
  glyphWidth?: number;
  glyphHeight?: number;
  /** Luma of the strokes: dark ink on a light background or light ink on a dark one. Default 20. */
  ink?: number;
  /** Picks each glyph's strokes. Default 1. */
  seed?: number;
}

/**
 * A copy with lines of glyph-like marks drawn on it: each glyph is 2–4 one-pixel strokes (vertical sides and horizontal bars)
 * chosen by a seeded PRNG, roughly the look of small text in a downscaled menu.
 */
export function withTextBlocks(frame: LumaFrame, options: TextBlockOptions): LumaFrame {
  const { left = 16, glyphsPerLine = 30, glyphWidth = 6, glyphHeight = 9, ink = 20, seed = 1 } = options;
  const random = seededRandom(seed);
  const out = copyOf(frame);
  const { width, height, luma } = out;
  const plot = (x: number, y: number) => {
    if (x >= 0 && x < width && y >= 0 && y < height) luma[y * width + x] = toByte(ink);
  };
  const w = glyphWidth - 1;
  const h = glyphHeight - 1;
  for (const top of options.lineTops) {
    for (let g = 0; g < glyphsPerLine; g++) {
      const x0 = left + g * glyphWidth;
      // Strokes: left side, right side, top bar, middle bar, bottom bar; at least two, so no glyph is blank.
      const strokes = [random() < 0.7, random() < 0.5, random() < 0.6, random() < 0.5, random() < 0.6];
      if (strokes.filter(Boolean).length < 2) strokes[0] = strokes[2] = true;
      for (let y = 0; y < h; y++) {
        if (strokes[0]) plot(x0, top + y);
        if (strokes[1]) plot(x0 + w - 1, top + y);
      }
      for (let x = 0; x < w; x++) {
        if (strokes[2]) plot(x0 + x, top);
        if (strokes[3]) plot(x0 + x, top + Math.floor(h / 2));
        if (strokes[4]) plot(x0 + x, top + h - 1);
      }
    }
  }
  return out;
}

/** Box blur of the given radius (a (2r+1)² mean), separable, with edges clamped; repeated passes approach a Gaussian, as a lens blur does. */
export function blurred(frame: LumaFrame, radius: number, passes = 1): LumaFrame {
  let out = frame;
  for (let pass = 0; pass < passes; pass++) out = boxBlur(out, radius);
  return out;
}

function boxBlur(frame: LumaFrame, radius: number): LumaFrame {
  const { width, height } = frame;
  const horizontal = new Float32Array(width * height);
  const span = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += frame.luma[y * width + Math.min(width - 1, Math.max(0, x + k))]!;
      horizontal[y * width + x] = sum / span;
    }
  }
  const luma = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += horizontal[Math.min(height - 1, Math.max(0, y + k)) * width + x]!;
      luma[y * width + x] = toByte(sum / span);
    }
  }
  return { ...frame, luma };
}

/** A copy with seeded uniform noise of ±amplitude added: codec noise on a still picture. */
export function withNoise(frame: LumaFrame, seed: number, amplitude: number): LumaFrame {
  const random = seededRandom(seed);
  const out = copyOf(frame);
  for (let i = 0; i < out.luma.length; i++) out.luma[i] = toByte(out.luma[i]! + (random() * 2 - 1) * amplitude);
  return out;
}

/** The frames as one batch: frame indices from `firstIndex` on and timestamps one sampling interval apart. */
export function asBatch(frames: readonly LumaFrame[], intervalS = 1, firstIndex = 0): LumaFrame[] {
  return frames.map((frame, i) => ({ ...frame, frameIndex: firstIndex + i, timestampS: (firstIndex + i) * intervalS }));
}
