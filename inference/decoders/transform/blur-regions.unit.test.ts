import { describe, expect, it } from 'vitest';
import type { Detection } from '../../../schemas/vision.ts';
import { defaultFaceBlur, faceBlurRegions, faceBlurTag } from './blur-regions.ts';

const face = (x1: number, y1: number, x2: number, y2: number): Detection => ({ box: { x1, y1, x2, y2 }, classId: 0, className: 'face', score: 0.9 });

describe('the regions anonymize-faces blurs', () => {
  it('grows each face box by half its size per side, in whole pixels rounded outwards, with sigma 0.15 of its longer side', () => {
    // A 100x80 px face at (200, 100) in a 640x360 frame: 50 px more left and right, 40 px more above and below.
    const [region] = faceBlurRegions([face(200 / 640, 100 / 360, 300 / 640, 180 / 360)], 640, 360, defaultFaceBlur);
    expect(region).toEqual({ left: 150, top: 60, width: 200, height: 160, sigma: 15 });
    const [odd] = faceBlurRegions([face(0.1001, 0.2001, 0.2, 0.3)], 100, 100, { margin: 0, sigmaPerFaceSize: 0.15, passes: 1 });
    expect(odd).toMatchObject({ left: 10, top: 20, width: 10, height: 10 });
  });

  it('clips regions to the frame, drops boxes outside it, and keeps overlapping faces apart', () => {
    const regions = faceBlurRegions([face(0, 0, 0.2, 0.2), face(0.1, 0.1, 0.3, 0.3), face(1.2, 1.2, 1.4, 1.4)], 100, 50, defaultFaceBlur);
    expect(regions).toEqual([
      { left: 0, top: 0, width: 30, height: 15, sigma: 3 },
      { left: 0, top: 0, width: 40, height: 20, sigma: 3 },
    ]);
  });

  it('never asks for a sigma below what libvips takes, and names its settings in the version tag', () => {
    expect(faceBlurRegions([face(0.5, 0.5, 0.51, 0.51)], 100, 100, defaultFaceBlur)[0]!.sigma).toBe(0.3);
    expect(faceBlurTag(defaultFaceBlur)).toBe('m0.5-b0.15-p3');
  });
});
