import type { NormalisedBox } from '../../../schemas/vision.ts';

/**
 * Where a source image lands inside a model input: scaled by `scale` (aspect kept) and centred,
 * the rest padded ("letterbox"). Decoders use it to map model coordinates back to the source.
 */
export interface InputGeometry {
  sourceWidth: number;
  sourceHeight: number;
  inputWidth: number;
  inputHeight: number;
  scale: number;
  padX: number;
  padY: number;
}

export function letterbox(sourceWidth: number, sourceHeight: number, inputWidth: number, inputHeight: number): InputGeometry {
  if (sourceWidth < 1 || sourceHeight < 1) throw new RangeError(`image of ${sourceWidth}x${sourceHeight} pixels has no content`);
  const scale = Math.min(inputWidth / sourceWidth, inputHeight / sourceHeight);
  const contentWidth = Math.round(sourceWidth * scale);
  const contentHeight = Math.round(sourceHeight * scale);
  return {
    sourceWidth,
    sourceHeight,
    inputWidth,
    inputHeight,
    scale,
    padX: Math.floor((inputWidth - contentWidth) / 2),
    padY: Math.floor((inputHeight - contentHeight) / 2),
  };
}

/**
 * Input size for a fully convolutional model such as the PP-OCR text detector: the longer side
 * scaled down to at most `limitSide` (never up), each side rounded up to a multiple of `multiple`.
 */
export function dynamicInputSize(sourceWidth: number, sourceHeight: number, limitSide: number, multiple = 32): { width: number; height: number } {
  const scale = Math.min(1, limitSide / Math.max(sourceWidth, sourceHeight));
  const round = (v: number) => Math.max(multiple, Math.ceil((v * scale) / multiple) * multiple);
  return { width: round(sourceWidth), height: round(sourceHeight) };
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** A box in model-input pixels back to normalised source coordinates (clamped); null if nothing is left. */
export function toSourceBox(geometry: InputGeometry, x1: number, y1: number, x2: number, y2: number): NormalisedBox | null {
  const { scale, padX, padY, sourceWidth, sourceHeight } = geometry;
  const box = {
    x1: clamp01((x1 - padX) / scale / sourceWidth),
    y1: clamp01((y1 - padY) / scale / sourceHeight),
    x2: clamp01((x2 - padX) / scale / sourceWidth),
    y2: clamp01((y2 - padY) / scale / sourceHeight),
  };
  return box.x2 > box.x1 && box.y2 > box.y1 ? box : null;
}

export function iou(a: NormalisedBox, b: NormalisedBox): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}
