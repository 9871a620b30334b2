import type { Detection } from '../../../schemas/vision.ts';
import { toSourceBox, type InputGeometry } from './geometry.ts';
import type { FloatTensor } from './nanodet-decoder.ts';
import { nonMaxSuppression } from './nms.ts';

export interface BlazeFaceOptions {
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  className: string;
}

/**
 * The anchor layers of MediaPipe's 256 px ("back camera") BlazeFace: a 16×16 grid with 2 anchors
 * per cell, then an 8×8 grid with 6 (MediaPipe's four SSD layers of strides 16, 32, 32, 32 with
 * two anchors each, the last three sharing one grid): 512 + 384 = 896 anchors.
 */
export const blazeFaceLayers: readonly { stride: number; anchorsPerCell: number }[] = [
  { stride: 16, anchorsPerCell: 2 },
  { stride: 32, anchorsPerCell: 6 },
];

/** Values per anchor of the regressor output: box centre offset (x, y), size (w, h), then 6 keypoints (x, y). */
const regressorValues = 16;
/** MediaPipe clips the logits to ±100 before the sigmoid. */
const logitClip = 100;

/** One anchor layer's centres in input pixels, cell by cell (row-major), each repeated per anchor of the cell. */
export function blazeFaceAnchors(inputSize: number, layer: { stride: number; anchorsPerCell: number }): Float32Array {
  const cols = Math.ceil(inputSize / layer.stride);
  const centres = new Float32Array(cols * cols * layer.anchorsPerCell * 2);
  let i = 0;
  for (let row = 0; row < cols; row++) {
    for (let col = 0; col < cols; col++) {
      for (let a = 0; a < layer.anchorsPerCell; a++) {
        centres[i++] = (col + 0.5) * layer.stride;
        centres[i++] = (row + 0.5) * layer.stride;
      }
    }
  }
  return centres;
}

const sigmoid = (logit: number) => 1 / (1 + Math.exp(-Math.min(logitClip, Math.max(-logitClip, logit))));

/**
 * Pairs the model's outputs into layers by anchor count: per layer a score output `[batch, anchors,
 * 1]` (logits) and a regressor output `[batch, anchors, 16]`. Names and output order are not relied on.
 */
function layersOf(outputs: FloatTensor[], inputSize: number) {
  const byAnchors = new Map<number, { scores?: FloatTensor; boxes?: FloatTensor }>();
  for (const output of outputs) {
    if (output.dims.length !== 3) throw new RangeError(`BlazeFace outputs are [batch, anchors, values], got [${output.dims.join(', ')}]`);
    const pair = byAnchors.get(output.dims[1]!) ?? {};
    if (output.dims[2] === 1) pair.scores = output;
    else if (output.dims[2] === regressorValues) pair.boxes = output;
    else throw new RangeError(`a BlazeFace output holds 1 score or ${regressorValues} regressors per anchor, got ${output.dims[2]}`);
    byAnchors.set(output.dims[1]!, pair);
  }
  return blazeFaceLayers.map((layer) => {
    const centres = blazeFaceAnchors(inputSize, layer);
    const anchors = centres.length / 2;
    const { scores, boxes } = byAnchors.get(anchors) ?? {};
    if (!scores || !boxes) throw new RangeError(`BlazeFace at ${inputSize} px needs a [.., ${anchors}, 1] score and a [.., ${anchors}, 16] box output`);
    return { centres, anchors, scores, boxes };
  });
}

/**
 * Decodes BlazeFace (MediaPipe's SSD-style face detector) for a batch of letterboxed images:
 * per anchor a score logit (sigmoid) and a box regressed from the anchor's centre in input pixels
 * (centre = anchor + (dx, dy), size (w, h)); faces above the threshold, then NMS. The six keypoints
 * are not decoded: filmroom stores face boxes. Returns one list per image.
 */
export function decodeBlazeFace(outputs: FloatTensor[], geometries: InputGeometry[], options: BlazeFaceOptions): Detection[][] {
  if (geometries.length === 0) return [];
  const { inputWidth, inputHeight } = geometries[0]!;
  if (inputWidth !== inputHeight) throw new RangeError(`BlazeFace takes a square input, got ${inputWidth}x${inputHeight}`);
  const layers = layersOf(outputs, inputWidth);
  for (const { scores, boxes } of layers) {
    if (scores.dims[0] !== geometries.length || boxes.dims[0] !== geometries.length)
      throw new RangeError(`BlazeFace output has ${scores.dims[0]} images, ${geometries.length} were sent`);
  }
  return geometries.map((geometry, n) => {
    const candidates: Detection[] = [];
    for (const { centres, anchors, scores, boxes } of layers) {
      for (let a = 0; a < anchors; a++) {
        const score = sigmoid(scores.data[n * anchors + a]!);
        if (score < options.scoreThreshold) continue;
        const at = (n * anchors + a) * regressorValues;
        const cx = centres[2 * a]! + boxes.data[at]!;
        const cy = centres[2 * a + 1]! + boxes.data[at + 1]!;
        const halfW = boxes.data[at + 2]! / 2;
        const halfH = boxes.data[at + 3]! / 2;
        const box = toSourceBox(geometry, cx - halfW, cy - halfH, cx + halfW, cy + halfH);
        if (box) candidates.push({ box, classId: 0, className: options.className, score });
      }
    }
    return nonMaxSuppression(candidates, options.iouThreshold, options.maxDetections);
  });
}

/** An NCHW float tensor's values rearranged channels-last (NHWC), for models converted from TensorFlow such as BlazeFace. */
export function toChannelsLast(data: Float32Array, dims: readonly [number, number, number, number]): Float32Array {
  const [n, c, h, w] = dims;
  const plane = h * w;
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    const base = i * c * plane;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < c; k++) out[base + p * c + k] = data[base + k * plane + p]!;
    }
  }
  return out;
}
