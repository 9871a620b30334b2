import type { RgbImage } from '../../../schemas/vision.ts';

/** Bins per colour channel: coarse enough that noise and small motion stay in their bins. */
export const binsPerChannel = 16;

/**
 * A frame's colour histogram: per channel (R, G, B) `binsPerChannel` bins, each the share of the
 * sampled pixels that fall in it (so each channel sums to 1 and frame size does not matter). Every
 * `step`-th pixel of every `step`-th row is counted: a 720p frame needs no more than a 4th of them.
 */
export function colourHistogram(image: RgbImage, step = 2): number[] {
  const counts = new Array<number>(3 * binsPerChannel).fill(0);
  const shift = 8 - Math.log2(binsPerChannel);
  let pixels = 0;
  for (let y = 0; y < image.height; y += step) {
    let i = y * image.width * 3;
    for (let x = 0; x < image.width; x += step, i += 3 * step) {
      counts[image.data[i]! >> shift]!++;
      counts[binsPerChannel + (image.data[i + 1]! >> shift)]!++;
      counts[2 * binsPerChannel + (image.data[i + 2]! >> shift)]!++;
      pixels++;
    }
  }
  return counts.map((n) => (pixels === 0 ? 0 : Math.round((n / pixels) * 1e6) / 1e6));
}

/**
 * How much the picture changed between two frames: the total variation distance between their
 * colour histograms, averaged over the channels — 0 for the same colours, 1 for no colour in
 * common. Motion within a shot moves few pixels between bins; a cut moves most of them.
 */
export function sceneChange(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`histograms of ${a.length} and ${b.length} bins cannot be compared`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return Math.round((sum / 2 / 3) * 1e6) / 1e6;
}
