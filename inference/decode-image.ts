import sharp from 'sharp';
import { FilmroomError } from '../common/errors.ts';
import type { RgbImage } from '../schemas/vision.ts';

/** Decodes an encoded image (the batch artifacts' JPEGs) to 8-bit RGB at full resolution. A corrupt image is permanent. */
export async function decodeRgbImage(encoded: Buffer, what: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(encoded).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new RangeError(`decoded to ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw new FilmroomError('MALFORMED_EVENT', `${what} is not a readable image: ${(error as Error).message}`, { cause: error });
  }
}
