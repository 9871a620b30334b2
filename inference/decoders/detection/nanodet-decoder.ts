import type { Detection } from '../../../schemas/vision.ts';
import { classNameOf } from './class-names.ts';
import { toSourceBox, type InputGeometry } from './geometry.ts';
import { nonMaxSuppression } from './nms.ts';

export interface NanoDetOptions {
  scoreThreshold: number;
  iouThreshold: number;
  classNames: readonly string[];
  maxDetections: number;
}

/** One float output of the model: its values and dims. */
export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** The strides NanoDet's heads may use; a level's stride is found from its cell count and the input size. */
const candidateStrides = [8, 16, 32, 64, 128];

interface Level {
  stride: number;
  cols: number;
  cells: number;
  scores: FloatTensor;
  distances: FloatTensor;
}

/**
 * Pairs the outputs into levels by cell count: per level a class-score tensor `[batch, cells,
 * classes]` and a distance tensor `[batch, cells, 4 * bins]`, told apart by their last dimension
 * (the one holding `classNames.length` values is the scores). Names and output order are not relied on.
 */
function levelsOf(outputs: FloatTensor[], classCount: number, inputWidth: number, inputHeight: number): Level[] {
  const byCells = new Map<number, { scores?: FloatTensor; distances?: FloatTensor }>();
  for (const output of outputs) {
    if (output.dims.length !== 3) throw new RangeError(`NanoDet outputs are [batch, cells, values], got [${output.dims.join(', ')}]`);
    const cells = output.dims[1]!;
    const level = byCells.get(cells) ?? {};
    if (output.dims[2] === classCount) level.scores = output;
    else level.distances = output;
    byCells.set(cells, level);
  }
  return [...byCells].map(([cells, { scores, distances }]) => {
    const stride = candidateStrides.find((s) => Math.ceil(inputWidth / s) * Math.ceil(inputHeight / s) === cells);
    if (!scores || !distances || stride === undefined)
      throw new RangeError(
        `NanoDet level of ${cells} cells needs a [.., ${classCount}] score and a [.., 4 * bins] distance output on a stride of ${candidateStrides.join('/')}`,
      );
    if (distances.dims[2]! % 4 !== 0) throw new RangeError(`NanoDet distances must hold 4 sides of bins, got ${distances.dims[2]} values`);
    return { stride, cols: Math.ceil(inputWidth / stride), cells, scores, distances };
  });
}

/** Expected bin of a softmax over `bins` logits starting at `offset`: the distribution's mean, in strides. */
function expectedBin(data: Float32Array, offset: number, bins: number): number {
  let max = -Infinity;
  for (let k = 0; k < bins; k++) max = Math.max(max, data[offset + k]!);
  let sum = 0;
  let weighted = 0;
  for (let k = 0; k < bins; k++) {
    const e = Math.exp(data[offset + k]! - max);
    sum += e;
    weighted += k * e;
  }
  return weighted / sum;
}

/**
 * Decodes NanoDet's heads (generalised focal loss, as RangiLyu/nanodet exports them): per stride a
 * grid of cells whose centre is `(col + 0.5, row + 0.5) * stride` in input pixels; class scores are
 * already sigmoid; each side's distance from the centre is a softmax over bins whose expected bin
 * times the stride is the distance (left, top, right, bottom). Every class above the threshold in a
 * cell is a candidate; class-wise NMS follows. Returns one list per image.
 */
export function decodeNanoDet(outputs: FloatTensor[], geometries: InputGeometry[], options: NanoDetOptions): Detection[][] {
  if (geometries.length === 0) return [];
  const { inputWidth, inputHeight } = geometries[0]!;
  const classCount = options.classNames.length;
  const levels = levelsOf(outputs, classCount, inputWidth, inputHeight);
  for (const level of levels) {
    if (level.scores.dims[0] !== geometries.length || level.distances.dims[0] !== geometries.length)
      throw new RangeError(`NanoDet output has ${level.scores.dims[0]} images, ${geometries.length} were sent`);
  }
  return geometries.map((geometry, n) => {
    const candidates: Detection[] = [];
    for (const { stride, cols, cells, scores, distances } of levels) {
      const values = distances.dims[2]!;
      const bins = values / 4;
      const scoreBase = n * cells * classCount;
      const distanceBase = n * cells * values;
      const data = scores.data;
      for (let cell = 0; cell < cells; cell++) {
        // Nearly every cell has no class above the threshold: find that out in one tight pass first.
        const rowStart = scoreBase + cell * classCount;
        const rowEnd = rowStart + classCount;
        let best = 0;
        for (let i = rowStart; i < rowEnd; i++) if (data[i]! > best) best = data[i]!;
        if (best < options.scoreThreshold) continue;
        let box: ReturnType<typeof toSourceBox> | undefined;
        for (let c = 0; c < classCount; c++) {
          const score = data[rowStart + c]!;
          if (score < options.scoreThreshold) continue;
          if (box === undefined) {
            // The box is decoded once per cell, and only for cells with some class above the threshold.
            const cx = ((cell % cols) + 0.5) * stride;
            const cy = (Math.floor(cell / cols) + 0.5) * stride;
            const at = distanceBase + cell * values;
            const [left, top, right, bottom] = [0, 1, 2, 3].map((side) => expectedBin(distances.data, at + side * bins, bins) * stride) as [
              number,
              number,
              number,
              number,
            ];
            box = toSourceBox(geometry, cx - left, cy - top, cx + right, cy + bottom);
          }
          if (box) candidates.push({ box, classId: c, className: classNameOf(options.classNames, c), score });
        }
      }
    }
    return nonMaxSuppression(candidates, options.iouThreshold, options.maxDetections);
  });
}
