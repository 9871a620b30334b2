import type { Detection } from '../../../schemas/vision.ts';
import { iou } from './geometry.ts';

/** Class-wise greedy non-maximum suppression: per class, best score first, drop boxes overlapping a kept one above `iouThreshold`. */
export function nonMaxSuppression(detections: Detection[], iouThreshold: number, maxDetections = 300): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxDetections) break;
    if (kept.some((k) => k.classId === candidate.classId && iou(k.box, candidate.box) > iouThreshold)) continue;
    kept.push(candidate);
  }
  return kept;
}
