import type { NormalisedBox, RgbImage } from '../../../schemas/vision.ts';

/** The PP-OCR recogniser's input: height 48, width following the crop's aspect. */
export const recInputHeight = 48;

/** Pixel rectangle of a normalised box in an image of `width` x `height` (at least 1 px each way). */
export function pixelRect(box: NormalisedBox, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const x = Math.max(0, Math.min(width - 1, Math.floor(box.x1 * width)));
  const y = Math.max(0, Math.min(height - 1, Math.floor(box.y1 * height)));
  const x2 = Math.max(x + 1, Math.min(width, Math.ceil(box.x2 * width)));
  const y2 = Math.max(y + 1, Math.min(height, Math.ceil(box.y2 * height)));
  return { x, y, w: x2 - x, h: y2 - y };
}

/** Copies a box out of a frame at full resolution. */
export function cropImage(frame: RgbImage, box: NormalisedBox): RgbImage {
  const r = pixelRect(box, frame.width, frame.height);
  const data = new Uint8Array(r.w * r.h * 3);
  for (let y = 0; y < r.h; y++) {
    const from = ((r.y + y) * frame.width + r.x) * 3;
    data.set(frame.data.subarray(from, from + r.w * 3), y * r.w * 3);
  }
  return { width: r.w, height: r.h, data };
}

/** Width a crop gets at the recogniser's height, aspect kept, capped at `maxWidth`. */
export const recWidthOf = (crop: RgbImage, maxWidth: number) => Math.max(1, Math.min(maxWidth, Math.ceil((recInputHeight * crop.width) / crop.height)));

/**
 * A batch of crops as the recogniser's NCHW tensor `[n, 3, 48, width]`: each crop resized
 * (bilinear) to height 48 keeping its aspect, BGR, normalised to -1..1, and padded on the right
 * with zeros to the widest crop of the batch (PaddleOCR's own padding).
 */
export function recBatchTensor(crops: RgbImage[], maxWidth: number): { data: Float32Array; dims: [number, number, number, number] } {
  if (crops.length === 0) throw new RangeError('recBatchTensor needs at least one crop');
  const widths = crops.map((c) => recWidthOf(c, maxWidth));
  const width = Math.max(...widths);
  const h = recInputHeight;
  const plane = h * width;
  const data = new Float32Array(crops.length * 3 * plane);
  crops.forEach((crop, n) => {
    const cw = widths[n]!;
    const fx = crop.width / cw;
    const fy = crop.height / h;
    const base = n * 3 * plane;
    for (let y = 0; y < h; y++) {
      const sy = Math.min(crop.height - 1, Math.max(0, (y + 0.5) * fy - 0.5));
      const y0 = Math.floor(sy);
      const y1 = Math.min(crop.height - 1, y0 + 1);
      const wy = sy - y0;
      for (let x = 0; x < cw; x++) {
        const sx = Math.min(crop.width - 1, Math.max(0, (x + 0.5) * fx - 0.5));
        const x0 = Math.floor(sx);
        const x1 = Math.min(crop.width - 1, x0 + 1);
        const wx = sx - x0;
        const p00 = (y0 * crop.width + x0) * 3;
        const p01 = (y0 * crop.width + x1) * 3;
        const p10 = (y1 * crop.width + x0) * 3;
        const p11 = (y1 * crop.width + x1) * 3;
        for (let c = 0; c < 3; c++) {
          const v =
            crop.data[p00 + c]! * (1 - wx) * (1 - wy) +
            crop.data[p01 + c]! * wx * (1 - wy) +
            crop.data[p10 + c]! * (1 - wx) * wy +
            crop.data[p11 + c]! * wx * wy;
          // Channel c of RGB goes to plane 2 - c (BGR).
          data[base + (2 - c) * plane + y * width + x] = v / 127.5 - 1;
        }
      }
    }
  });
  return { data, dims: [crops.length, 3, h, width] };
}
