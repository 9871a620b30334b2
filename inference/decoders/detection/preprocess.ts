import type { RgbImage } from '../../../schemas/vision.ts';
import type { InputGeometry } from './geometry.ts';

/** How pixel values become model inputs: `(v / 255 - mean[c]) / std[c]`, channels in `channelOrder`. */
export interface Normalisation {
  channelOrder: 'rgb' | 'bgr';
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Value (0..255, per channel before normalising) of the letterbox padding. */
  padValue: number;
}

/**
 * Fills an NCHW float32 batch tensor: each image bilinearly resized into its letterbox geometry
 * (all geometries share one input size) and normalised. Pure: no I/O, no libraries.
 */
export function preprocessBatch(
  images: RgbImage[],
  geometries: InputGeometry[],
  norm: Normalisation,
): { data: Float32Array; dims: [number, number, number, number] } {
  if (images.length === 0) throw new RangeError('preprocessBatch needs at least one image');
  const { inputWidth: w, inputHeight: h } = geometries[0]!;
  const plane = w * h;
  const data = new Float32Array(images.length * 3 * plane);
  const order = norm.channelOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  // mean and std are given per output channel (for bgr, index 0 is blue), as the model's training code wrote them.
  const mul = [0, 1, 2].map((c) => 1 / 255 / norm.std[c]!);
  const add = [0, 1, 2].map((c) => -norm.mean[c]! / norm.std[c]!);
  images.forEach((image, n) => {
    const g = geometries[n]!;
    if (g.inputWidth !== w || g.inputHeight !== h) throw new RangeError('every image of a batch must share one input size');
    if (image.data.length !== image.width * image.height * 3)
      throw new RangeError(`image data has ${image.data.length} bytes, expected ${image.width * image.height * 3}`);
    const base = n * 3 * plane;
    const pad = [0, 1, 2].map((c) => norm.padValue * mul[c]! + add[c]!);
    const contentW = Math.min(w - g.padX, Math.round(image.width * g.scale));
    const contentH = Math.min(h - g.padY, Math.round(image.height * g.scale));
    // Only the letterbox bands get the pad value: the content is written below.
    for (let c = 0; c < 3; c++) {
      const p0 = base + c * plane;
      data.fill(pad[c]!, p0, p0 + g.padY * w);
      data.fill(pad[c]!, p0 + (g.padY + contentH) * w, p0 + plane);
      if (contentW < w) {
        for (let y = g.padY; y < g.padY + contentH; y++) {
          data.fill(pad[c]!, p0 + y * w, p0 + y * w + g.padX);
          data.fill(pad[c]!, p0 + y * w + g.padX + contentW, p0 + (y + 1) * w);
        }
      }
    }
    const src = image.data;
    const sw = image.width;
    const sh = image.height;
    const r = order[0]!;
    const gch = order[1]!;
    const b = order[2]!;
    if (g.scale === 1 && contentW === sw && contentH === sh) {
      // Same size (the usual case for a fully convolutional model): no resampling, a lookup per byte.
      const lut = [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => v * mul[c]! + add[c]!));
      const [l0, l1, l2] = lut as [Float32Array, Float32Array, Float32Array];
      for (let y = 0; y < sh; y++) {
        const out = base + (y + g.padY) * w + g.padX;
        let p = y * sw * 3;
        for (let x = 0; x < sw; x++, p += 3) {
          data[out + x] = l0[src[p + r]!]!;
          data[out + x + plane] = l1[src[p + gch]!]!;
          data[out + x + 2 * plane] = l2[src[p + b]!]!;
        }
      }
      return;
    }
    const inv = 1 / g.scale;
    // Horizontal sampling positions are the same for every row: compute them once.
    const x0s = new Int32Array(contentW);
    const x1s = new Int32Array(contentW);
    const fxs = new Float32Array(contentW);
    for (let x = 0; x < contentW; x++) {
      const sx = Math.min(sw - 1, Math.max(0, (x + 0.5) * inv - 0.5));
      const x0 = Math.floor(sx);
      x0s[x] = x0 * 3;
      x1s[x] = Math.min(sw - 1, x0 + 1) * 3;
      fxs[x] = sx - x0;
    }
    for (let y = 0; y < contentH; y++) {
      const sy = Math.min(sh - 1, Math.max(0, (y + 0.5) * inv - 0.5));
      const y0 = Math.floor(sy);
      const fy = sy - y0;
      const row0 = y0 * sw * 3;
      const row1 = Math.min(sh - 1, y0 + 1) * sw * 3;
      const out = base + (y + g.padY) * w + g.padX;
      for (let x = 0; x < contentW; x++) {
        const fx = fxs[x]!;
        const a = row0 + x0s[x]!;
        const bb = row0 + x1s[x]!;
        const cc = row1 + x0s[x]!;
        const d = row1 + x1s[x]!;
        const w00 = (1 - fx) * (1 - fy);
        const w01 = fx * (1 - fy);
        const w10 = (1 - fx) * fy;
        const w11 = fx * fy;
        const o = out + x;
        data[o] = (src[a + r]! * w00 + src[bb + r]! * w01 + src[cc + r]! * w10 + src[d + r]! * w11) * mul[0]! + add[0]!;
        data[o + plane] = (src[a + gch]! * w00 + src[bb + gch]! * w01 + src[cc + gch]! * w10 + src[d + gch]! * w11) * mul[1]! + add[1]!;
        data[o + 2 * plane] = (src[a + b]! * w00 + src[bb + b]! * w01 + src[cc + b]! * w10 + src[d + b]! * w11) * mul[2]! + add[2]!;
      }
    }
  });
  return { data, dims: [images.length, 3, h, w] };
}
