import type { Normalisation } from './preprocess.ts';

/** The output families the in-process detector decodes. */
export const detectorFamilies = ['nanodet', 'db', 'yolo', 'detr', 'blazeface'] as const;
export type DetectorFamily = (typeof detectorFamilies)[number];

const imagenet = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

/**
 * How each family expects its input. PP-OCR (db) was trained on BGR images with ImageNet
 * statistics (in RGB order); Ultralytics YOLO takes RGB scaled to 0..1 with grey (114) letterbox padding; DETR
 * takes RGB with ImageNet statistics. NanoDet was trained on BGR images with its own statistics
 * (0..255 units, BGR order: mean 103.53, 116.28, 123.675, std 57.375, 57.12, 58.395, from its
 * training configs); with plain 0..1 input its classes come out wrong. MediaPipe's BlazeFace takes
 * RGB scaled to -1..1 (its letterbox padding is black).
 */
export const familyNormalisation: Record<DetectorFamily, Normalisation> = {
  nanodet: { channelOrder: 'bgr', mean: [103.53 / 255, 116.28 / 255, 123.675 / 255], std: [57.375 / 255, 57.12 / 255, 58.395 / 255], padValue: 0 },
  // PaddleOCR applies the RGB-ordered ImageNet statistics to its BGR images as they are; so do we.
  db: { channelOrder: 'bgr', mean: imagenet.mean, std: imagenet.std, padValue: 0 },
  yolo: { channelOrder: 'rgb', mean: [0, 0, 0], std: [1, 1, 1], padValue: 114 },
  detr: { channelOrder: 'rgb', mean: imagenet.mean, std: imagenet.std, padValue: 0 },
  blazeface: { channelOrder: 'rgb', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], padValue: 0 },
};
