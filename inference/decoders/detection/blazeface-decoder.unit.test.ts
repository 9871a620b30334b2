import { describe, expect, it } from 'vitest';
import { blazeFaceAnchors, blazeFaceLayers, decodeBlazeFace, toChannelsLast } from './blazeface-decoder.ts';
import { letterbox } from './geometry.ts';
import type { FloatTensor } from './nanodet-decoder.ts';

const options = { scoreThreshold: 0.5, iouThreshold: 0.3, maxDetections: 100, className: 'face' };
const logit = (p: number) => Math.log(p / (1 - p));

/** A layer's two outputs for one image: every score logit -10 (p ≈ 0.00005), then `anchors` set (score, and the regressors dx, dy, w, h). */
function layer(count: number, anchors: { anchor: number; score: number; box: [number, number, number, number] }[]): FloatTensor[] {
  const scores = new Float32Array(count).fill(-10);
  const boxes = new Float32Array(count * 16);
  for (const { anchor, score, box } of anchors) {
    scores[anchor] = logit(score);
    boxes.set(box, anchor * 16);
  }
  return [
    { data: scores, dims: [1, count, 1] },
    { data: boxes, dims: [1, count, 16] },
  ];
}

describe('BlazeFace anchors (256 px: 16×16 cells × 2, then 8×8 cells × 6)', () => {
  it('gives 512 and 384 anchor centres in input pixels, cell by cell, repeated per anchor', () => {
    const [fine, coarse] = blazeFaceLayers.map((l) => blazeFaceAnchors(256, l));
    expect(fine!.length / 2).toBe(512);
    expect(coarse!.length / 2).toBe(384);
    expect([...fine!.slice(0, 6)]).toEqual([8, 8, 8, 8, 24, 8]); // cell (0,0) twice, then cell (col 1, row 0)
    expect([...fine!.slice(2 * 32, 2 * 32 + 2)]).toEqual([8, 24]); // anchor 32: row 1, col 0
    expect([...coarse!.slice(2 * 6, 2 * 6 + 2)]).toEqual([48, 16]); // anchor 6: cell (col 1, row 0) of stride 32
  });
});

describe('BlazeFace output decoding (per layer: score logits [batch, anchors, 1], regressors [batch, anchors, 16])', () => {
  // A 512×256 source letterboxed into 256×256: scale 0.5, padY 64.
  const geometry = letterbox(512, 256, 256, 256);
  // Fine anchor 2 * (16 * 4 + 5) = 138: cell (col 5, row 4), centre (88, 72). Coarse anchor 6 * (8 * 3 + 2) + 1 = 157: centre (80, 112).
  const fine = layer(512, [
    { anchor: 138, score: 0.9, box: [2, -2, 32, 48] }, // centre (90, 70): x 74..106, y 46..94
    { anchor: 139, score: 0.8, box: [0, 0, 32, 48] }, // centre (88, 72), IoU with the first ≈ 0.83: suppressed
    { anchor: 0, score: 0.4, box: [0, 0, 10, 10] }, // under the threshold
  ]);
  const coarse = layer(384, [{ anchor: 157, score: 0.6, box: [0, 0, 64, 64] }]); // x 48..112, y 80..144

  it('adds the regressed offset to the anchor, sizes the box, takes the sigmoid of the logit and drops overlaps (NMS)', () => {
    // Outputs in the converted model's order (scores 512, boxes 512, boxes 384, scores 384): order is not relied on.
    const [faces] = decodeBlazeFace([fine[0]!, fine[1]!, coarse[1]!, coarse[0]!], [geometry], options);
    expect(faces).toHaveLength(2);
    const [a, b] = faces!;
    expect(a!.score).toBeCloseTo(0.9, 6);
    expect(a).toMatchObject({ classId: 0, className: 'face' });
    // Input px back to source: x / 0.5 / 512, (y - 64) / 0.5 / 256.
    expect(a!.box.x1).toBeCloseTo(74 / 256, 6);
    expect(a!.box.x2).toBeCloseTo(106 / 256, 6);
    expect(a!.box.y1).toBe(0); // 46 is inside the top padding: clamped
    expect(a!.box.y2).toBeCloseTo(30 / 128, 6);
    expect(b!.score).toBeCloseTo(0.6, 6);
    expect(b!.box).toMatchObject({
      x1: expect.closeTo(48 / 256, 6),
      x2: expect.closeTo(112 / 256, 6),
      y1: expect.closeTo(16 / 128, 6),
      y2: expect.closeTo(80 / 128, 6),
    });
  });

  it('finds nothing when no anchor reaches the threshold, and a face per image of a batch', () => {
    const empty = [...layer(512, []), ...layer(384, [])];
    expect(decodeBlazeFace(empty, [geometry], options)).toEqual([[]]);
    const two = (l: FloatTensor[]) => l.map((t) => ({ data: Float32Array.from([...t.data, ...t.data]), dims: [2, t.dims[1]!, t.dims[2]!] }));
    const found = decodeBlazeFace([...two(fine), ...two(coarse)], [geometry, geometry], options);
    expect(found.map((f) => f.length)).toEqual([2, 2]);
  });

  it('names what is wrong with outputs that are not BlazeFace', () => {
    expect(() => decodeBlazeFace([{ data: new Float32Array(10), dims: [1, 10] }], [geometry], options)).toThrow(/\[batch, anchors, values\]/);
    expect(() => decodeBlazeFace(layer(512, []), [geometry], options)).toThrow(/384, 1\] score/);
    expect(() => decodeBlazeFace([...fine, ...coarse], [letterbox(10, 10, 256, 128)], options)).toThrow(/square/);
  });
});

describe('channels-last layout', () => {
  it('moves each pixel’s channels together: NCHW [1, 3, 1, 2] to NHWC [1, 1, 2, 3]', () => {
    expect([...toChannelsLast(Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 3, 1, 2])]).toEqual([1, 3, 5, 2, 4, 6]);
  });
});
