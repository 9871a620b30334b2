import type { FrameDetections, OcrText } from '../../../schemas/index.ts';
import type { Recognition } from '../../../schemas/vision.ts';

/** A detected region to read: which frame (by its position in the batch) and where. */
export interface TextRegion {
  frameIndex: number;
  box: FrameDetections['detections'][number]['box'];
}

/** The regions of the classes OCR reads (`text`, jersey numbers, …), in frame order then detection order. */
export function regionsToRead(frames: readonly FrameDetections[], classes: readonly string[]): TextRegion[] {
  const wanted = new Set(classes);
  return frames.flatMap((frame) => frame.detections.filter((d) => wanted.has(d.class_name)).map((d) => ({ frameIndex: frame.frame_index, box: d.box })));
}

/**
 * The texts worth reporting: what was read with at least `minConfidence`, trimmed, non-empty; in
 * region order.
 */
export function textsOf(regions: readonly TextRegion[], recognitions: readonly Recognition[], minConfidence: number): OcrText[] {
  if (regions.length !== recognitions.length) throw new RangeError(`${recognitions.length} recognitions for ${regions.length} regions`);
  const texts: OcrText[] = [];
  regions.forEach((region, i) => {
    const { text, confidence } = recognitions[i]!;
    const trimmed = text.trim();
    if (trimmed.length === 0 || confidence < minConfidence) return;
    texts.push({ frame_index: region.frameIndex, box: region.box, text: trimmed, confidence });
  });
  return texts;
}
