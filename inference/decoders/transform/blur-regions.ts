import type { Detection } from '../../../schemas/vision.ts';

/** How anonymize-faces blurs a face: how far past the face box, and how strongly for the face's size. */
export interface FaceBlurSettings {
  /** The box grows by this fraction of its width (height) on the left and right (top and bottom). */
  margin: number;
  /** The Gaussian's sigma as a fraction of the face box's longer side in pixels. */
  sigmaPerFaceSize: number;
  /** At most this many rounds of detect-then-blur per frame: a blurred head can still read as a face, and is blurred again. */
  passes: number;
}

/**
 * The face detector's engineer measured (inference/face-detector.unit.test.ts) that blurring the box
 * grown by a quarter leaves a dark head on a bright sky readable as a face (0.64–0.72), and grown by
 * half it is not (≤ 0.46 for sigma 8 to 32 px on 72 to 105 px faces). Sigma follows the face's size,
 * so a close-up is blurred as much as a spectator far away: 0.15 × the box is 12 px on an 80 px face
 * (on both photos scaled from 256 to 1920 px the best score left is 0.34–0.39). One pass is not
 * always enough: the cameraman at 47 px in a 640×360 frame, blurred once, still reads as a face
 * (0.67, the box a little lower); blurring that box too leaves at most 0.33. Hence up to 3 passes.
 */
export const defaultFaceBlur: FaceBlurSettings = { margin: 0.5, sigmaPerFaceSize: 0.15, passes: 3 };

/** libvips takes no sigma below 0.3. */
const minSigma = 0.3;

/** `m0.5-b0.15-p3`: the blur part of anonymize-faces' version (the detector's version comes before it). */
export const faceBlurTag = (settings: FaceBlurSettings) => `m${settings.margin}-b${settings.sigmaPerFaceSize}-p${settings.passes}`;

/** A rectangle of whole pixels inside the image, and the Gaussian sigma to blur it with. */
export interface BlurRegion {
  left: number;
  top: number;
  width: number;
  height: number;
  sigma: number;
}

/**
 * The pixel regions to blur in a `width`×`height` image for its detected faces: each box grown by
 * `margin` of its size per side, rounded outwards and clipped to the image. Boxes that clip to
 * nothing are dropped; overlapping regions are kept apart (each is blurred from the original).
 */
export function faceBlurRegions(faces: readonly Detection[], width: number, height: number, settings: FaceBlurSettings): BlurRegion[] {
  const regions: BlurRegion[] = [];
  for (const { box } of faces) {
    const boxW = (box.x2 - box.x1) * width;
    const boxH = (box.y2 - box.y1) * height;
    const left = Math.max(0, Math.floor(box.x1 * width - boxW * settings.margin));
    const top = Math.max(0, Math.floor(box.y1 * height - boxH * settings.margin));
    const right = Math.min(width, Math.ceil(box.x2 * width + boxW * settings.margin));
    const bottom = Math.min(height, Math.ceil(box.y2 * height + boxH * settings.margin));
    if (right - left < 1 || bottom - top < 1) continue;
    const sigma = Math.max(minSigma, settings.sigmaPerFaceSize * Math.max(boxW, boxH));
    regions.push({ left, top, width: right - left, height: bottom - top, sigma: Math.round(sigma * 100) / 100 });
  }
  return regions;
}
