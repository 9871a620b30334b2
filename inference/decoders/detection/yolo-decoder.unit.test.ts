import { describe, expect, it } from 'vitest';
import { constantOutputModel, detectOneFrame, rounded } from '../../../test/support/onnx-graphs.ts';
import { letterbox } from './geometry.ts';
import { decodeYolo } from './yolo-decoder.ts';

/** A YOLO output [1, 4 + 2 classes, anchors] from per-anchor rows (cx, cy, w, h, score class 0, score class 1). */
function yoloOutput(anchors: number[][]): { values: Float32Array; dims: number[] } {
  const rows = 6;
  const values = new Float32Array(rows * anchors.length);
  anchors.forEach((a, n) => a.forEach((v, r) => (values[r * anchors.length + n] = v)));
  return { values, dims: [1, rows, anchors.length] };
}

// Input 100x100; a 200x100 frame is letterboxed at scale 0.5 with 25 px of padding above and below.
const anchors = [
  [50, 50, 20, 10, 0.1, 0.9], // class 1, 0.9: box x 40..60, y 45..55 → source x 0.4..0.6, y 0.4..0.6
  [51, 50, 20, 10, 0.05, 0.8], // class 1 again, overlapping: suppressed
  [50, 50, 20, 10, 0.7, 0.2], // class 0 on the same spot: kept (NMS is per class)
  [10, 30, 4, 4, 0.1, 0.1], // under the threshold
  [80, 40, 10, 10, 0.6, 0.3], // class 0 elsewhere
];
const expected = [
  { classId: 1, className: 'player', score: 0.9, box: { x1: 0.4, y1: 0.4, x2: 0.6, y2: 0.6 } },
  { classId: 0, className: 'ball', score: 0.7, box: { x1: 0.4, y1: 0.4, x2: 0.6, y2: 0.6 } },
  { classId: 0, className: 'ball', score: 0.6, box: { x1: 0.75, y1: 0.2, x2: 0.85, y2: 0.4 } },
];

describe('YOLO output decoding ([batch, 4 + classes, anchors])', () => {
  it('given known anchors, keeps the best class above the threshold per anchor and suppresses overlaps within a class', () => {
    const { values, dims } = yoloOutput(anchors);
    const [found] = decodeYolo(values, dims, [letterbox(200, 100, 100, 100)], {
      scoreThreshold: 0.25,
      iouThreshold: 0.45,
      classNames: ['ball', 'player'],
      maxDetections: 10,
    });
    expect(rounded(found!)).toEqual(expected);
  });

  it('names classes without a configured name class_<id>, and refuses outputs of the wrong shape', () => {
    const { values, dims } = yoloOutput(anchors);
    const [found] = decodeYolo(values, dims, [letterbox(200, 100, 100, 100)], { scoreThreshold: 0.25, iouThreshold: 0.45, classNames: [], maxDetections: 10 });
    expect(found!.map((d) => d.className)).toEqual(['class_1', 'class_0', 'class_0']);
    expect(() =>
      decodeYolo(values, [6, anchors.length], [letterbox(200, 100, 100, 100)], { scoreThreshold: 0.25, iouThreshold: 0.45, classNames: [], maxDetections: 10 }),
    ).toThrow(/must be \[batch, 4 \+ classes, anchors\]/);
  });

  it('through the real onnxruntime-node: a model with these outputs gives the same detections via the onnx adapter', async () => {
    const { values, dims } = yoloOutput(anchors);
    const { found, modelName } = await detectOneFrame(constantOutputModel([{ name: 'output0', dims, values }], [1, 3, 100, 100]), 'yolo-known', 'yolo');
    expect(rounded(found)).toEqual(expected);
    expect(modelName).toBe('yolo-known');
  });
});
