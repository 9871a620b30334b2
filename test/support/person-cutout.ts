import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../schemas/vision.ts';

/**
 * The person cut-out frame of the blur-background tests: the astronaut of the public-domain NASA
 * portrait (test/fixtures/people/astronaut.png), cut out along a hand-drawn outline of her head and
 * suit and scaled to 340 px, over an 8 px two-colour checkerboard (high-frequency everywhere) in a
 * 640×360 frame. The regions the tests measure come from this drawing, never from the model.
 */
export const cutoutFrame = { width: 640, height: 360 };

const photo = join(import.meta.dirname, '..', 'fixtures', 'people', 'astronaut.png');
/** The photo (512 px) is scaled to this size and placed at (left, top). */
const scaled = 340;
const at = { left: 150, top: 20 };
/** The outline in the 512 px photo's pixels: her hair and face (an ellipse), then her suit down to the bottom edge. */
const outline = `<ellipse cx="226" cy="100" rx="74" ry="88"/>
  <polygon points="190,180 265,180 300,200 335,280 360,330 362,512 20,512 25,380 45,290 112,240 118,195"/>`;

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Where a part of the photo (in its 512 px pixels) lands in the frame. */
const inFrame = (r: Rect): Rect => {
  const k = scaled / 512;
  return { left: at.left + Math.round(r.left * k), top: at.top + Math.round(r.top * k), width: Math.round(r.width * k), height: Math.round(r.height * k) };
};

/** Surely person: her face, and her suit's chest (well inside the outline). */
export const personRegions: readonly Rect[] = [
  inFrame({ left: 185, top: 60, width: 85, height: 105 }),
  inFrame({ left: 120, top: 300, width: 170, height: 130 }),
];
/** Surely background: the strips left and right of the cut-out, more than 20 px from it. */
export const backgroundRegions: readonly Rect[] = [
  { left: 0, top: 0, width: 140, height: 360 },
  { left: 420, top: 0, width: 220, height: 360 },
];

/** The frame as a PNG. */
export async function cutoutFramePng(): Promise<Buffer> {
  const mask = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${scaled}" height="${scaled}" viewBox="0 0 512 512">${outline}</svg>`);
  const person = await sharp(photo)
    .resize(scaled, scaled)
    .ensureAlpha()
    .composite([{ input: mask, blend: 'dest-in' }])
    .png()
    .toBuffer();
  const { width, height } = cutoutFrame;
  const checkerboard = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><pattern id="c" width="16" height="16" patternUnits="userSpaceOnUse">` +
      '<rect width="16" height="16" fill="#d8c060"/><rect width="8" height="8" fill="#304080"/><rect x="8" y="8" width="8" height="8" fill="#304080"/>' +
      `</pattern></defs><rect width="${width}" height="${height}" fill="url(#c)"/></svg>`,
  );
  return sharp(checkerboard)
    .composite([{ input: person, ...at }])
    .removeAlpha()
    .png()
    .toBuffer();
}

const luma = (image: RgbImage, x: number, y: number) => {
  const i = (y * image.width + x) * 3;
  return 0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
};

/** The variance of the 4-neighbour Laplacian of the luma inside `r` (its border pixels excluded): high-frequency energy. */
export function laplacianVariance(image: RgbImage, r: Rect): number {
  let sum = 0;
  let squares = 0;
  let n = 0;
  for (let y = Math.max(1, r.top); y < Math.min(image.height - 1, r.top + r.height); y++) {
    for (let x = Math.max(1, r.left); x < Math.min(image.width - 1, r.left + r.width); x++) {
      const l = luma(image, x - 1, y) + luma(image, x + 1, y) + luma(image, x, y - 1) + luma(image, x, y + 1) - 4 * luma(image, x, y);
      sum += l;
      squares += l * l;
      n++;
    }
  }
  return squares / n - (sum / n) ** 2;
}

/** The mean absolute difference of two same-size images' channels inside `r`. */
export function meanAbsDiff(a: RgbImage, b: RgbImage, r: Rect): number {
  let total = 0;
  let n = 0;
  for (let y = r.top; y < r.top + r.height; y++) {
    for (let x = r.left; x < r.left + r.width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * a.width + x) * 3 + c;
        total += Math.abs(a.data[i]! - b.data[i]!);
        n++;
      }
    }
  }
  return total / n;
}
