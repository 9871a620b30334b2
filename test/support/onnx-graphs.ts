import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { loadConfig } from '../../common/config.ts';
import { createOnnxDetector } from '../../inference/onnx-detector.ts';
import type { Detection } from '../../schemas/vision.ts';

const { onnx } = onnxProto;

/** A float tensor for an ONNX graph: name, dims and values (row-major). */
export interface ConstTensor {
  name: string;
  dims: number[];
  values: number[] | Float32Array;
}

const floatInput = (name: string, dims: (number | string)[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
const floatOutput = (name: string) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1 } } });

function modelBytes(graph: InstanceType<typeof onnx.GraphProto>): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph })).finish();
}

/**
 * A model with one image input `x` ([n, 3, h, w] or the given shape) whose outputs are constants:
 * lets a test feed a decoder known outputs through the real onnxruntime-node.
 */
export function constantOutputModel(outputs: ConstTensor[], inputDims: (number | string)[] = ['n', 3, 'h', 'w']): Uint8Array {
  const initializer = outputs.map((o) =>
    onnx.TensorProto.create({ name: `${o.name}_value`, dims: o.dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(o.values) }),
  );
  const graph = onnx.GraphProto.create({
    name: 'constant-outputs',
    node: outputs.map((o) => onnx.NodeProto.create({ opType: 'Identity', input: [`${o.name}_value`], output: [o.name] })),
    initializer,
    input: [floatInput('x', inputDims)],
    output: outputs.map((o) => floatOutput(o.name)),
  });
  return modelBytes(graph);
}

/**
 * A toy "text detector" of the DB family: the per-pixel maximum over the three input channels,
 * `[n, 3, h, w] → [n, 1, h, w]`. Bright regions of a normalised image become high "probabilities".
 */
export function channelMaxModel(): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'channel-max',
    node: [
      onnx.NodeProto.create({
        opType: 'ReduceMax',
        input: ['x'],
        output: ['prob'],
        attribute: [
          onnx.AttributeProto.create({ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] }),
          onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }),
        ],
      }),
    ],
    input: [floatInput('x', ['n', 3, 'h', 'w'])],
    output: [floatOutput('prob')],
  });
  return modelBytes(graph);
}

/** Writes model bytes to a temporary .onnx file (what the detector config points at) and returns its path. */
export function writeTempModel(bytes: Uint8Array, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'filmroom-onnx-'));
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, bytes);
  return path;
}

const r4 = (v: number) => Number(v.toFixed(4));

/** Detections with score and box rounded to 4 decimals, for comparing decoder output with known answers. */
export const rounded = (detections: Detection[]) =>
  detections.map((d) => ({ ...d, score: r4(d.score), box: { x1: r4(d.box.x1), y1: r4(d.box.y1), x2: r4(d.box.x2), y2: r4(d.box.y2) } }));

/**
 * Runs a model through the real onnx adapter (input size 100, classes ball and player, one
 * thread) on one black 200x100 frame; returns its detections and the model name it reports.
 */
export async function detectOneFrame(modelBytes: Uint8Array, name: string, family: 'yolo' | 'detr'): Promise<{ found: Detection[]; modelName: string }> {
  const config = loadConfig({
    FILMROOM_DETECT_MODEL: writeTempModel(modelBytes, name),
    FILMROOM_DETECT_FAMILY: family,
    FILMROOM_DETECT_INPUT_SIZE: '100',
    FILMROOM_DETECT_CLASSES: 'ball,player',
    FILMROOM_DETECT_THREADS: '1',
  }).detect;
  const detector = await createOnnxDetector(config);
  try {
    const [found] = await detector.detect([{ width: 200, height: 100, data: new Uint8Array(200 * 100 * 3) }]);
    return { found: found!, modelName: detector.model.name };
  } finally {
    await detector.close();
  }
}
