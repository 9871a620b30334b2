import type { Detection } from '../../../schemas/vision.ts';
import { classNameOf } from './class-names.ts';
import { toSourceBox, type InputGeometry } from './geometry.ts';

export interface DetrOptions {
  scoreThreshold: number;
  classNames: readonly string[];
  maxDetections: number;
}

/**
 * Decodes a DETR-style output: `boxes` `[batch, queries, 4]` (centre x, centre y, width, height,
 * normalised to the model input) and `logits` `[batch, queries, classes + 1]` whose last class is
 * "no object". Scores are the softmax over all classes; a query's best real class above the
 * threshold is a detection. DETR predicts a set, so no NMS. Returns one list per image.
 */
export function decodeDetr(
  boxes: { data: Float32Array; dims: readonly number[] },
  logits: { data: Float32Array; dims: readonly number[] },
  geometries: InputGeometry[],
  options: DetrOptions,
): Detection[][] {
  if (boxes.dims.length !== 3 || boxes.dims[2] !== 4) throw new RangeError(`DETR boxes must be [batch, queries, 4], got [${boxes.dims.join(', ')}]`);
  if (logits.dims.length !== 3 || logits.dims[2]! < 2)
    throw new RangeError(`DETR logits must be [batch, queries, classes + 1], got [${logits.dims.join(', ')}]`);
  const [batch, queries] = boxes.dims as [number, number, number];
  if (logits.dims[0] !== batch || logits.dims[1] !== queries) {
    throw new RangeError(`DETR boxes [${boxes.dims.join(', ')}] and logits [${logits.dims.join(', ')}] disagree on batch or queries`);
  }
  if (batch !== geometries.length) throw new RangeError(`DETR output has ${batch} images, ${geometries.length} were sent`);
  const classes = logits.dims[2]!;
  return geometries.map((geometry, n) => {
    const found: Detection[] = [];
    for (let q = 0; q < queries; q++) {
      const lo = (n * queries + q) * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, logits.data[lo + c]!);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(logits.data[lo + c]! - max);
      let best = -1;
      let bestP = -1;
      for (let c = 0; c < classes - 1; c++) {
        const p = Math.exp(logits.data[lo + c]! - max) / sum;
        if (p > bestP) {
          bestP = p;
          best = c;
        }
      }
      if (bestP < options.scoreThreshold) continue;
      const bo = (n * queries + q) * 4;
      const cx = boxes.data[bo]! * geometry.inputWidth;
      const cy = boxes.data[bo + 1]! * geometry.inputHeight;
      const w = boxes.data[bo + 2]! * geometry.inputWidth;
      const h = boxes.data[bo + 3]! * geometry.inputHeight;
      const box = toSourceBox(geometry, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
      if (box) found.push({ box, classId: best, className: classNameOf(options.classNames, best), score: bestP });
    }
    return found.sort((a, b) => b.score - a.score).slice(0, options.maxDetections);
  });
}
