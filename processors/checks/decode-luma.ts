import sharp from 'sharp';
import type { ArtifactFrame } from '../../storage/batch-artifact.ts';
import type { LumaFrame } from './core/index.ts';

/** Decodes a stored JPEG frame to 8-bit luma at the analysis width (aspect kept). */
export async function decodeLumaFrame(frame: ArtifactFrame, analysisWidth: number): Promise<LumaFrame> {
  const { data, info } = await sharp(frame.jpeg)
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
