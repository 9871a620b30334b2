import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../common/config.ts';
import type { Detection, NormalisedBox, RgbImage } from '../schemas/vision.ts';
import { decodeRgbImage } from './decode-image.ts';
import { createOnnxDetector, type OnnxDetector } from './onnx-detector.ts';

const photoBytes = (name: string) => readFileSync(new URL(`../test/fixtures/people/${name}`, import.meta.url));
const photo = (name: string) => decodeRgbImage(photoBytes(name), name);

/** The photo with `box`, grown by `margin` of its size on each side, Gaussian-blurred with sigma `sigma` px: what a face anonymiser does. */
async function blurred(name: string, box: NormalisedBox, margin: number, sigma: number): Promise<RgbImage> {
  const image = await photo(name);
  const grow = { x: (box.x2 - box.x1) * margin, y: (box.y2 - box.y1) * margin };
  const left = Math.max(0, Math.floor((box.x1 - grow.x) * image.width));
  const top = Math.max(0, Math.floor((box.y1 - grow.y) * image.height));
  const width = Math.min(image.width, Math.ceil((box.x2 + grow.x) * image.width)) - left;
  const height = Math.min(image.height, Math.ceil((box.y2 + grow.y) * image.height)) - top;
  const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
  const patch = await sharp(image.data, raw).extract({ left, top, width, height }).blur(sigma).toBuffer();
  const data = await sharp(image.data, raw)
    .composite([{ input: patch, raw: { width, height, channels: 3 }, left, top }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { width: image.width, height: image.height, data: new Uint8Array(data) };
}

// The committed BlazeFace through the real onnxruntime-node, on public-domain photos (test/fixtures/people/README.md).
describe('the bundled face detector (MediaPipe BlazeFace, 256 px)', () => {
  let detector: OnnxDetector;
  beforeAll(async () => {
    detector = await createOnnxDetector(loadConfig({ FILMROOM_DETECT_THREADS: '2' }).faceDetect);
  });
  afterAll(() => detector.close());

  it('is named blazeface-256, with one NHWC input and the four per-layer outputs the decoder pairs', () => {
    expect(detector.model).toEqual({ name: 'blazeface-256', version: expect.stringMatching(/^[0-9a-f]{12}-i256-s0.5-n0.45$/) });
    expect(detector.session.inputNames).toEqual(['input:0']);
    expect(detector.session.outputNames).toHaveLength(4);
  });

  it("finds the astronaut's and the cameraman's face, one each, with a score of at least 0.5 and a box around it", async () => {
    const [astronaut, cameraman] = await detector.detect([await photo('astronaut.png'), await photo('camera.png')]);
    expect(astronaut).toHaveLength(1);
    expect(cameraman).toHaveLength(1);
    const [a] = astronaut!;
    const [c] = cameraman!;
    expect(a).toMatchObject({ classId: 0, className: 'face' });
    expect(a!.score).toBeGreaterThanOrEqual(0.5);
    expect(c!.score).toBeGreaterThanOrEqual(0.5);
    // Eileen Collins' face: about x 172..277, y 74..180 of 512 px (found at 0.88); the cameraman's about x 182..254, y 126..199 (0.77).
    for (const [found, expected] of [
      [a!.box, { x1: 172, y1: 74, x2: 277, y2: 180 }],
      [c!.box, { x1: 182, y1: 126, x2: 254, y2: 199 }],
    ] as const) {
      for (const side of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(found[side] * 512 - expected[side])).toBeLessThan(12);
    }
  });

  // Measured (best score left, sigma 8 / 12 / 20 / 32): blurring the box grown by a quarter leaves the cameraman's
  // blurred head at 0.64 / 0.72 / 0.70 / 0.50 (his dark head on the bright sky still reads as a face); grown by half,
  // 0.34 / 0.40 / 0.46 / 0.46 for him and at most 0.38 for the astronaut. So an anonymiser blurs the box plus half its size.
  it('finds no face at 0.5 or more once each face, with half its size around it, is heavily Gaussian-blurred (what anonymize-faces relies on)', async () => {
    for (const name of ['astronaut.png', 'camera.png']) {
      const [[face]] = (await detector.detect([await photo(name)])) as [[Detection]];
      const [found] = await detector.detect([await blurred(name, face.box, 0.5, 12)]);
      expect(
        found!.filter((d) => d.score >= 0.5),
        name,
      ).toEqual([]);
    }
  });
});
