import type { Detection } from '../../../schemas/vision.ts';
import { classNameOf } from './class-names.ts';
import { toSourceBox, type InputGeometry } from './geometry.ts';
import { nonMaxSuppression } from './nms.ts';

export interface YoloOptions {
  scoreThreshold: number;
  iouThreshold: number;
  classNames: readonly string[];
  maxDetections: number;
}

/**
 * Decodes a YOLO-style output (`[batch, 4 + classes, anchors]`, as exported by Ultralytics YOLOv8
 * and later): rows 0..3 are centre x, centre y, width and height in input pixels, the other rows
 * per-class scores. Per anchor the best class above the threshold is a candidate; class-wise NMS
 * follows. Returns one list per image.
 */
export function decodeYolo(data: Float32Array, dims: readonly number[], geometries: InputGeometry[], options: YoloOptions): Detection[][] {
  if (dims.length !== 3 || dims[1]! < 5) throw new RangeError(`YOLO output must be [batch, 4 + classes, anchors], got [${dims.join(', ')}]`);
  const [batch, rows, anchors] = dims as [number, number, number];
  if (batch !== geometries.length) throw new RangeError(`YOLO output has ${batch} images, ${geometries.length} were sent`);
  const classes = rows - 4;
  return geometries.map((geometry, n) => {
    const base = n * rows * anchors;
    const at = (row: number, a: number) => data[base + row * anchors + a]!;
    const candidates: Detection[] = [];
    for (let a = 0; a < anchors; a++) {
      let best = -1;
      let score = -Infinity;
      for (let c = 0; c < classes; c++) {
        const s = at(4 + c, a);
        if (s > score) {
          score = s;
          best = c;
        }
      }
      if (score < options.scoreThreshold) continue;
      const cx = at(0, a);
      const cy = at(1, a);
      const w = at(2, a);
      const h = at(3, a);
      const box = toSourceBox(geometry, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
      if (box) candidates.push({ box, classId: best, className: classNameOf(options.classNames, best), score });
    }
    return nonMaxSuppression(candidates, options.iouThreshold, options.maxDetections);
  });
}
