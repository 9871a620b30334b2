import sharp from 'sharp';
import { batchArtifactKey, packBatchArtifact, type ArtifactFrame } from './batch-artifact.ts';
import { s3Uri } from './object-location.ts';
import type { ObjectStore } from './ports.ts';

/**
 * Batch artifacts of synthetic frames with real TAR and JPEG bytes, for unit tests of the frame
 * source and of the handlers that read frames. Deterministic: the same arguments give the same bytes.
 */

/** A colour frame: a gradient shifted by `seed`, with a bright band (a stand-in scoreboard) at the top. */
export async function syntheticJpeg(width: number, height: number, seed: number): Promise<Buffer> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      const band = y < height / 8 && x > width / 4 && x < (3 * width) / 4;
      rgb[at] = band ? 240 : (x * 255) / width + seed * 7;
      rgb[at + 1] = band ? 240 : (y * 255) / height + seed * 13;
      rgb[at + 2] = band ? 240 : ((x + y + seed * 31) * 3) % 256;
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export interface SyntheticBatch {
  bucket: string;
  videoId: string;
  batchIndex: number;
  frameCount: number;
  width?: number;
  height?: number;
}

/** Packs a batch of synthetic frames (frame indices 30·i, at 1 s apart) and stores it; returns its URI and frames. */
export async function putSyntheticBatch(store: ObjectStore, batch: SyntheticBatch): Promise<{ uri: string; frames: ArtifactFrame[] }> {
  const { width = 64, height = 36 } = batch;
  const frames: ArtifactFrame[] = [];
  for (let i = 0; i < batch.frameCount; i++) {
    const frameIndex = (batch.batchIndex * batch.frameCount + i) * 30;
    frames.push({ frameIndex, timestampS: frameIndex / 30, jpeg: await syntheticJpeg(width, height, frameIndex) });
  }
  const location = { bucket: batch.bucket, key: batchArtifactKey(batch.videoId, '', batch.batchIndex) };
  await store.put(location, await packBatchArtifact(batch.videoId, batch.batchIndex, frames), 'application/x-tar');
  return { uri: s3Uri(location), frames };
}
