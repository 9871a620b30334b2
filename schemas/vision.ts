/**
 * Shared vision types, and the model-adapter contract every detector and text recogniser offers,
 * whether it runs in this process (onnx), behind an HTTP service (http) or in a subprocess
 * (command). Pure types: the cores depend on these and on nothing that does I/O.
 */

/** An 8-bit RGB image, pixels interleaved row by row (`data.length === width * height * 3`). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An axis-aligned box in normalised image coordinates (0..1, origin top-left), x1 < x2, y1 < y2. */
export interface NormalisedBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Detection {
  box: NormalisedBox;
  classId: number;
  className: string;
  score: number;
}

export interface ModelInfo {
  name: string;
  version: string;
}

export interface Recognition {
  text: string;
  /** Mean probability of the recognised characters, 0..1 (0 when nothing was read). */
  confidence: number;
}

export interface Detector {
  /** The model answering: for remote adapters, as the service last reported it. */
  readonly model: ModelInfo;
  /** One list of detections per image, in input order. */
  detect(images: RgbImage[], signal?: AbortSignal): Promise<Detection[][]>;
  close(): Promise<void>;
}

export interface TextRecognizer {
  readonly model: ModelInfo;
  /** One recognition per crop, in input order. */
  recognize(crops: RgbImage[], signal?: AbortSignal): Promise<Recognition[]>;
  close(): Promise<void>;
}

/** How a frame transform runs: an old-contract adapter (docs/transforms.md) or a model in this process. */
export type TransformAdapterName = 'subprocess' | 'http' | 'mock' | 'builtin';

/** What the transform stage hands a frame transform besides the frames. */
export interface TransformContext {
  signal: AbortSignal;
  /** A folder of this batch's own, removed when the batch is done (adapters put model input and output here). */
  workDir: string;
  /** Called with 0..100 as a model reports progress (subprocess `progress: N` lines). */
  onProgress(percent: number): void;
}

/**
 * A frame model: frames in, as many frames out, in order (the five-stage pipeline's "model
 * inference" step). Adapters for the old contracts and in-process models both offer it; the
 * transform stage finds one by `model.name` and keys its results by name and version.
 */
export interface FrameTransform {
  readonly model: ModelInfo;
  readonly adapter: TransformAdapterName;
  /** The size the model takes, frames resized to it before and back after; undefined: frames as stored. */
  readonly inputSize?: { width: number; height: number };
  transform(frames: readonly RgbImage[], context: TransformContext): Promise<RgbImage[]>;
  close(): Promise<void>;
}
