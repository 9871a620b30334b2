/** One sampled video frame as the checks see it: 8-bit luma (BT.601), row-major, width*height bytes. */
export interface LumaFrame {
  width: number;
  height: number;
  luma: Uint8Array;
  frameIndex: number;
  timestampS: number;
}

/** Mean and population standard deviation of some luma values. */
export interface LumaStats {
  mean: number;
  std: number;
}

/** A frame whose buffer disagrees with its size is a bug in the adapter, not bad data: fail loudly rather than measure garbage. */
export function assertLumaFrame(frame: LumaFrame): void {
  const { width, height, luma } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`frame ${frame.frameIndex}: size ${width}x${height} is not a positive integer size`);
  }
  if (luma.length !== width * height) {
    throw new RangeError(`frame ${frame.frameIndex}: luma has ${luma.length} bytes, expected ${width}x${height} = ${width * height}`);
  }
}

export function assertLumaFrames(frames: readonly LumaFrame[]): void {
  for (const frame of frames) assertLumaFrame(frame);
}

export function meanLuma(frame: LumaFrame): number {
  const { luma } = frame;
  let sum = 0;
  for (let i = 0; i < luma.length; i++) sum += luma[i]!;
  return sum / luma.length;
}

/** Mean and std-dev of the rectangle [x0, x1) × [y0, y1); an empty rectangle gives zeros. */
export function regionStats(frame: LumaFrame, x0: number, y0: number, x1: number, y1: number): LumaStats {
  const { width, luma } = frame;
  const count = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  if (count === 0) return { mean: 0, std: 0 };
  let sum = 0;
  let sumSq = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) {
      const v = luma[row + x]!;
      sum += v;
      sumSq += v * v;
    }
  }
  return statsOf(sum, sumSq, count);
}

export function lumaStats(frame: LumaFrame): LumaStats {
  return regionStats(frame, 0, 0, frame.width, frame.height);
}

/** Stats of row y, optionally restricted to the columns [x0, x1). */
export function rowStats(frame: LumaFrame, y: number, x0 = 0, x1 = frame.width): LumaStats {
  return regionStats(frame, x0, y, x1, y + 1);
}

/** Stats of column x, optionally restricted to the rows [y0, y1). */
export function columnStats(frame: LumaFrame, x: number, y0 = 0, y1 = frame.height): LumaStats {
  return regionStats(frame, x, y0, x + 1, y1);
}

export function rowMeans(frame: LumaFrame): Float64Array {
  const { width, height, luma } = frame;
  const means = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    let sum = 0;
    for (let i = y * width, end = i + width; i < end; i++) sum += luma[i]!;
    means[y] = sum / width;
  }
  return means;
}

export function columnMeans(frame: LumaFrame): Float64Array {
  const { width, height, luma } = frame;
  const sums = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    for (let x = 0, i = y * width; x < width; x++, i++) sums[x]! += luma[i]!;
  }
  for (let x = 0; x < width; x++) sums[x]! /= height;
  return sums;
}

/** Per-block std-dev and range (max − min) over the full blocks of a frame; the partial blocks at the right and bottom edges are skipped. */
export interface BlockStatistics {
  blockSize: number;
  columns: number;
  rows: number;
  /** row-major, columns * rows entries */
  std: Float32Array;
  range: Uint8Array;
}

export function blockStatistics(frame: LumaFrame, blockSize = 8): BlockStatistics {
  const { width, luma } = frame;
  const columns = Math.floor(width / blockSize);
  const rows = Math.floor(frame.height / blockSize);
  const std = new Float32Array(columns * rows);
  const range = new Uint8Array(columns * rows);
  const count = blockSize * blockSize;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < columns; bx++) {
      let sum = 0;
      let sumSq = 0;
      let min = 255;
      let max = 0;
      for (let y = by * blockSize, yEnd = y + blockSize; y < yEnd; y++) {
        for (let i = y * width + bx * blockSize, end = i + blockSize; i < end; i++) {
          const v = luma[i]!;
          sum += v;
          sumSq += v * v;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      const block = by * columns + bx;
      std[block] = statsOf(sum, sumSq, count).std;
      range[block] = max - min;
    }
  }
  return { blockSize, columns, rows, std, range };
}

/**
 * Variance of the 4-neighbour 3x3 Laplacian ([0 1 0; 1 −4 1; 0 1 0]) over the interior pixels: the classic focus measure.
 * Computed in one pass without materialising the filtered image.
 */
export function laplacianVariance(frame: LumaFrame): number {
  const { width, height, luma } = frame;
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1, i = y * width + 1; x < width - 1; x++, i++) {
      const l = luma[i - width]! + luma[i + width]! + luma[i - 1]! + luma[i + 1]! - 4 * luma[i]!;
      sum += l;
      sumSq += l * l;
    }
  }
  const stats = statsOf(sum, sumSq, (width - 2) * (height - 2));
  return stats.std * stats.std;
}

/** Mean absolute luma difference between two frames of the same size (0..255). */
export function meanAbsDiff(a: LumaFrame, b: LumaFrame): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`frames ${a.frameIndex} (${a.width}x${a.height}) and ${b.frameIndex} (${b.width}x${b.height}) differ in size`);
  }
  const la = a.luma;
  const lb = b.luma;
  let sum = 0;
  for (let i = 0; i < la.length; i++) sum += Math.abs(la[i]! - lb[i]!);
  return sum / la.length;
}

function statsOf(sum: number, sumSq: number, count: number): LumaStats {
  const mean = sum / count;
  // Rounding can push E[x²] − E[x]² slightly below zero for flat inputs.
  const variance = Math.max(0, sumSq / count - mean * mean);
  return { mean, std: Math.sqrt(variance) };
}
