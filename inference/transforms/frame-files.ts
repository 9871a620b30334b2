import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { FilmroomError } from '../../common/errors.ts';
import type { RgbImage } from '../../schemas/vision.ts';
import { decodeRgbImage } from '../decode-image.ts';

/** The input file of frame `i` as the old contract lays a batch out: `frame-00000.png`, … in order. */
export const inputFrameName = (i: number) => `frame-${String(i).padStart(5, '0')}.png`;

/**
 * Lossless PNG of an RGB frame: what models get and what the stage stores, so nothing drifts between
 * them. Rows unfiltered (filter type 0), so a script can read them with zlib alone (docs/transforms.md).
 */
export const encodePng = (image: RgbImage): Promise<Buffer> =>
  sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();

/** Writes a batch as PNG files into `dir` (which exists), returning their names in order. */
export async function writeInputFrames(frames: readonly RgbImage[], dir: string): Promise<string[]> {
  const names = frames.map((_, i) => inputFrameName(i));
  await Promise.all(frames.map(async (frame, i) => writeFile(join(dir, names[i]!), await encodePng(frame))));
  return names;
}

const imageFile = /\.(png|jpe?g)$/i;

/**
 * The frames a model wrote into `dir`: every PNG or JPEG in name order (the old contract: one
 * output image per input image, named so they sort like the inputs). Other files are ignored.
 */
export async function readOutputFrames(dir: string, what: string): Promise<RgbImage[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => imageFile.test(name)).sort();
  } catch (error) {
    throw new FilmroomError('MODEL_FAILED', `${what}: cannot read its output folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return Promise.all(names.map(async (name) => decodeRgbImage(await readFile(join(dir, name)), `${what}'s output ${name}`)));
}
