import { describe, expect, it } from 'vitest';
import { constantOutputModel, detectOneFrame, rounded } from '../../../test/support/onnx-graphs.ts';
import { decodeDetr } from './detr-decoder.ts';
import { letterbox } from './geometry.ts';

// Three queries over two classes plus "no object"; boxes are (cx, cy, w, h) normalised to the 100x100 input.
const boxes = { dims: [1, 3, 4], data: Float32Array.from([0.5, 0.5, 0.2, 0.1, 0.25, 0.3, 0.1, 0.1, 0.9, 0.9, 0.1, 0.1]) };
const logits = {
  dims: [1, 3, 3],
  data: Float32Array.from([
    0,
    4,
    0, // query 0: class 1, p = e^4 / (e^4 + 2) = 0.9647
    2,
    0,
    0, // query 1: class 0, p = e^2 / (e^2 + 2) = 0.7870
    0,
    0,
    5, // query 2: "no object" wins: p(class) = 1 / (e^5 + 2), dropped
  ]),
};
const expected = [
  { classId: 1, className: 'player', score: 0.9647, box: { x1: 0.4, y1: 0.4, x2: 0.6, y2: 0.6 } },
  { classId: 0, className: 'ball', score: 0.787, box: { x1: 0.2, y1: 0, x2: 0.3, y2: 0.2 } },
];

describe('DETR output decoding (boxes + logits)', () => {
  it('given known queries, softmaxes the logits, drops no-object and low scores, maps boxes back through the letterbox', () => {
    const [found] = decodeDetr(boxes, logits, [letterbox(200, 100, 100, 100)], { scoreThreshold: 0.5, classNames: ['ball', 'player'], maxDetections: 10 });
    expect(rounded(found!)).toEqual(expected);
  });

  it('refuses boxes and logits that disagree', () => {
    expect(() =>
      decodeDetr(boxes, { dims: [1, 2, 3], data: new Float32Array(6) }, [letterbox(200, 100, 100, 100)], {
        scoreThreshold: 0.5,
        classNames: [],
        maxDetections: 10,
      }),
    ).toThrow(/disagree/);
  });

  it('through the real onnxruntime-node: a model with outputs pred_boxes and logits gives the same detections via the onnx adapter', async () => {
    const model = constantOutputModel(
      [
        { name: 'logits', dims: logits.dims, values: logits.data },
        { name: 'pred_boxes', dims: boxes.dims, values: boxes.data },
      ],
      [1, 3, 100, 100],
    );
    const { found } = await detectOneFrame(model, 'detr-known', 'detr');
    expect(rounded(found)).toEqual(expected);
  });
});
