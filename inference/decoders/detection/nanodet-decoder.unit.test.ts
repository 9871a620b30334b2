import { describe, expect, it } from 'vitest';
import { rounded } from '../../../test/support/onnx-graphs.ts';
import { letterbox } from './geometry.ts';
import { decodeNanoDet, type FloatTensor } from './nanodet-decoder.ts';

// Input 64x64: strides 8, 16 and 32 give 64, 16 and 4 cells; 2 classes, 4 sides of 3 bins.
const classNames = ['ball', 'player'];
const bins = 3;
const options = { scoreThreshold: 0.5, iouThreshold: 0.45, classNames, maxDetections: 100 };

/** A level's two outputs, all scores 0 and every distance bin 0, then `cells` set (scores, and the bin each side puts all its weight on). */
function level(cellCount: number, cells: { cell: number; scores: number[]; sides: [number, number, number, number] }[]): FloatTensor[] {
  const scores = new Float32Array(cellCount * classNames.length);
  const distances = new Float32Array(cellCount * 4 * bins);
  for (const { cell, scores: s, sides } of cells) {
    s.forEach((v, c) => (scores[cell * classNames.length + c] = v));
    // A logit of 30 on one bin: the softmax puts (all but ~1e-13 of) its weight there.
    sides.forEach((bin, side) => (distances[cell * 4 * bins + side * bins + bin] = 30));
  }
  return [
    { data: scores, dims: [1, cellCount, classNames.length] },
    { data: distances, dims: [1, cellCount, 4 * bins] },
  ];
}

describe('NanoDet output decoding (per stride: scores [batch, cells, classes], distances [batch, cells, 4 * bins])', () => {
  // Stride 16, cell 6 = row 1, col 2: centre (2.5 * 16, 1.5 * 16) = (40, 24). Sides in bins × 16 px.
  const stride16 = level(16, [
    { cell: 6, scores: [0.1, 0.9], sides: [1, 1, 1, 0] }, // player 0.9: x 24..56, y 8..24
    { cell: 5, scores: [0.2, 0.8], sides: [1, 1, 2, 0] }, // centre (24, 24): x 8..56, y 8..24, overlaps the first (IoU 0.67): suppressed
    { cell: 9, scores: [0.7, 0.6], sides: [0, 0, 1, 1] }, // centre (24, 40): ball 0.7 and player 0.6, x 24..40, y 40..56
    { cell: 15, scores: [0.4, 0.3], sides: [1, 1, 1, 1] }, // under the threshold
  ]);
  // Stride 8, cell 0 = centre (4, 4); stride 32 has nothing.
  const stride8 = level(64, [{ cell: 0, scores: [0.55, 0], sides: [0, 0, 2, 2] }]); // ball: x 4..20, y 4..20
  const stride32 = level(4, []);
  const expected = [
    { classId: 1, className: 'player', score: 0.9, box: { x1: 0.375, y1: 0.125, x2: 0.875, y2: 0.375 } },
    { classId: 0, className: 'ball', score: 0.7, box: { x1: 0.375, y1: 0.625, x2: 0.625, y2: 0.875 } },
    { classId: 1, className: 'player', score: 0.6, box: { x1: 0.375, y1: 0.625, x2: 0.625, y2: 0.875 } },
    { classId: 0, className: 'ball', score: 0.55, box: { x1: 0.0625, y1: 0.0625, x2: 0.3125, y2: 0.3125 } },
  ];

  it('places boxes at the cell centre ± expected bin × stride, keeps every class above the threshold per cell and suppresses overlaps within a class', () => {
    const [found] = decodeNanoDet([...stride32, ...stride16, ...stride8], [letterbox(64, 64, 64, 64)], options);
    expect(rounded(found!).map((d) => ({ ...d, score: Math.round(d.score * 100) / 100 }))).toEqual(expected);
  });

  it('pairs outputs by cell count and last dimension, whatever their order', () => {
    const [found] = decodeNanoDet([stride8[1]!, stride16[0]!, stride32[1]!, stride8[0]!, stride32[0]!, stride16[1]!], [letterbox(64, 64, 64, 64)], options);
    expect(found).toHaveLength(expected.length);
  });

  it('takes the expected bin of the softmax, not the best bin', () => {
    const [scores, distances] = level(16, [{ cell: 6, scores: [0, 0.9], sides: [0, 0, 0, 0] }]);
    // Left side: equal logits on bins 0 and 2: expected bin 1, one stride.
    distances!.data.fill(0, 6 * 12, 6 * 12 + 3);
    distances!.data[6 * 12] = 5;
    distances!.data[6 * 12 + 2] = 5;
    const [found] = decodeNanoDet([scores!, distances!, ...level(64, []), ...level(4, [])], [letterbox(64, 64, 64, 64)], options);
    expect(found![0]!.box.x1).toBeCloseTo((40 - 16) / 64, 3);
  });

  it('maps letterboxed input pixels back to the source frame', () => {
    // A 128x64 frame in the 64x64 input: scale 0.5, 16 px of padding above and below.
    const [found] = decodeNanoDet([...stride32, ...stride16, ...stride8], [letterbox(128, 64, 64, 64)], options);
    // the player box x 24..56, y 8..24 in input pixels: y 8 is in the padding, clamped to the frame's top.
    expect(rounded([found![0]!])[0]!.box).toEqual({ x1: 0.375, y1: 0, x2: 0.875, y2: 0.25 });
  });

  it('rejects outputs that do not pair into levels of the input size', () => {
    expect(() => decodeNanoDet(level(15, []), [letterbox(64, 64, 64, 64)], options)).toThrow(/level of 15 cells/);
  });
});
