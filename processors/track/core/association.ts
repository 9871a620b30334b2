import { iou } from '../../../inference/decoders/detection/geometry.ts';
import type { NormalisedBox } from '../../../schemas/vision.ts';

/** A box grown by `buffer` times its own size on each side (C-BIoU), so small fast objects still overlap their prediction. */
export function buffered(box: NormalisedBox, buffer: number): NormalisedBox {
  if (buffer === 0) return box;
  const dx = (box.x2 - box.x1) * buffer;
  const dy = (box.y2 - box.y1) * buffer;
  return { x1: box.x1 - dx, y1: box.y1 - dy, x2: box.x2 + dx, y2: box.y2 + dy };
}

/** IoU of two boxes each grown by `buffer`. */
export const bufferedIou = (a: NormalisedBox, b: NormalisedBox, buffer: number) => iou(buffered(a, buffer), buffered(b, buffer));

/**
 * One-to-one matching of rows (tracks) to columns (detections) by similarity, best pair first; pairs
 * under `minSimilarity` never match. Ties go to the lower row then the lower column, so the result
 * depends only on the inputs' order, never on sort stability. Greedy rather than Hungarian: with IoU
 * gating the two agree on all but contrived cases, and this is what the tracker can afford per frame.
 */
export function greedyMatch(
  similarity: number[][],
  columnCount: number,
  minSimilarity: number,
): { pairs: [number, number][]; rows: number[]; columns: number[] } {
  const candidates: [number, number, number][] = [];
  similarity.forEach((row, r) =>
    row.forEach((s, c) => {
      if (s >= minSimilarity) candidates.push([s, r, c]);
    }),
  );
  candidates.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  const usedRows = new Set<number>();
  const usedColumns = new Set<number>();
  const pairs: [number, number][] = [];
  for (const [, r, c] of candidates) {
    if (usedRows.has(r) || usedColumns.has(c)) continue;
    usedRows.add(r);
    usedColumns.add(c);
    pairs.push([r, c]);
  }
  return {
    pairs,
    rows: similarity.map((_, r) => r).filter((r) => !usedRows.has(r)),
    columns: Array.from({ length: columnCount }, (_, c) => c).filter((c) => !usedColumns.has(c)),
  };
}
