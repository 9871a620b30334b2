import type { Detection } from '../../../schemas/vision.ts';
import { toSourceBox, type InputGeometry } from './geometry.ts';

/** Post-processing of a DB ("differentiable binarisation") text-probability map, as PP-OCR does it. */
export interface DbOptions {
  /** A pixel belongs to text when its probability exceeds this. */
  threshold: number;
  /** A region is kept when the mean probability inside its box reaches this. */
  boxThreshold: number;
  /** DB shrinks text regions when training: boxes grow back by area * ratio / perimeter. */
  unclipRatio: number;
  /** Regions whose shorter side is under this many map pixels are noise. */
  minSize: number;
  maxCandidates: number;
  className: string;
}

export const defaultDbOptions: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 1000, className: 'text' };

/**
 * Text regions of one probability map (`map` holds `width * height` values, row-major) as
 * axis-aligned boxes in normalised source coordinates, best score first: threshold, 8-connected
 * regions, box score = mean probability over the region's bounding box, unclip.
 */
export function decodeDbMap(map: Float32Array, width: number, height: number, geometry: InputGeometry, options: DbOptions = defaultDbOptions): Detection[] {
  if (map.length < width * height) throw new RangeError(`probability map has ${map.length} values, expected ${width * height}`);
  const seen = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const found: Detection[] = [];
  // The map may be smaller than the model input (some exports downsample): scale map pixels to input pixels.
  const sx = geometry.inputWidth / width;
  const sy = geometry.inputHeight / height;
  for (let start = 0; start < width * height && found.length < options.maxCandidates; start++) {
    if (seen[start] || !(map[start]! > options.threshold)) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (!seen[q] && map[q]! > options.threshold) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    if (Math.min(w, h) < options.minSize) continue;
    let sum = 0;
    for (let y = minY; y <= maxY; y++) for (let x = minX; x <= maxX; x++) sum += map[y * width + x]!;
    const score = sum / (w * h);
    if (score < options.boxThreshold) continue;
    const d = (w * h * options.unclipRatio) / (2 * (w + h));
    if (Math.min(w, h) + 2 * d < options.minSize + 2) continue;
    const box = toSourceBox(geometry, (minX - d) * sx, (minY - d) * sy, (maxX + 1 + d) * sx, (maxY + 1 + d) * sy);
    if (box) found.push({ box, classId: 0, className: options.className, score });
  }
  return found.sort((a, b) => b.score - a.score);
}
