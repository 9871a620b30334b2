import sharp from 'sharp';
import type { DecodedFrame } from '../../storage/ports.ts';
import type { LumaFrame } from './core/index.ts';

/**
 * 8-bit luma of a decoded frame at the analysis width (aspect kept), derived from its RGB rather
 * than a second JPEG decode. Same resize and greyscale as decoding the JPEG straight to luma did:
 * the bytes are identical on sample-sized frames (checks.unit.test.ts) and on the bundled sample's
 * frames, so the checks' measures are unchanged.
 */
export async function analysisLumaOf(frame: DecodedFrame, analysisWidth: number): Promise<LumaFrame> {
  const { rgb } = frame;
  const { data, info } = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .resize({ width: analysisWidth, withoutEnlargement: true })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    luma: new Uint8Array(data.buffer, data.byteOffset, data.length),
    frameIndex: frame.frameIndex,
    timestampS: frame.timestampS,
  };
}
