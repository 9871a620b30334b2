import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import type { RgbImage } from '../../schemas/vision.ts';
import { backgroundRegions, cutoutFramePng, laplacianVariance, meanAbsDiff, personRegions } from '../../test/support/person-cutout.ts';
import { decodeRgbImage } from '../decode-image.ts';
import { createPersonSegmenter, type OnnxPersonSegmenter } from '../person-segmenter.ts';
import { builtinTransforms, compositeBackground, createBlurBackgroundTransform } from './index.ts';

const context = { signal: new AbortController().signal, workDir: '/nonexistent', onProgress: () => {} };

/** A frame of 2 px upright stripes (high frequency everywhere), 128×64 unless said. */
const stripes = (width = 128, height = 64): RgbImage => {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.fill(Math.floor((i % width) / 2) % 2 ? 200 : 40, i * 3, i * 3 + 3);
  return { width, height, data };
};
/** A 16×8 mask, person on the left half. */
const leftHalf = { width: 16, height: 8, alpha: Uint8Array.from({ length: 128 }, (_, i) => (i % 16 < 8 ? 255 : 0)) };
const pixel = (image: RgbImage, x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));

describe('compositing the background (libvips through sharp, in-memory frames)', () => {
  it('keeps the person’s pixels as they are and blurs the rest', async () => {
    const frame = stripes();
    const out = await compositeBackground(frame, leftHalf, { blur: 0.1, low: 0.3, high: 0.7 });
    expect(out.width).toBe(128);
    for (const y of [0, 31, 63]) for (const x of [0, 1, 20, 55]) expect(pixel(out, x, y)).toEqual(pixel(frame, x, y));
    // The stripes' mean is 120: blurred (sigma 6.4 px), the right half away from its edges is close to it.
    for (const y of [0, 31, 63]) for (const x of [80, 81, 100, 110]) for (const v of pixel(out, x, y)) expect(Math.abs(v - 120)).toBeLessThan(4);
  });

  it('paints the background one colour instead when asked', async () => {
    const out = await compositeBackground(stripes(), leftHalf, { blur: 0.1, colour: [0, 177, 64], low: 0.3, high: 0.7 });
    for (const y of [0, 63]) {
      expect(pixel(out, 3, y)).toEqual(pixel(stripes(), 3, y));
      expect(pixel(out, 100, y)).toEqual([0, 177, 64]);
    }
  });
});

// The committed selfie model through onnxruntime-node, on the astronaut cut out over a checkerboard.
describe('the built-in blur-background transform', () => {
  let segmenter: OnnxPersonSegmenter;
  let frame: RgbImage;
  beforeAll(async () => {
    segmenter = await createPersonSegmenter(loadConfig({ FILMROOM_DETECT_THREADS: '1' }).personSegment);
    frame = await decodeRgbImage(await cutoutFramePng(), 'cut-out');
  });
  afterAll(() => segmenter.close());

  it('is registered by name, versioned by the segmenter (weights, input size) and the settings', () => {
    const config = loadConfig({}).transform;
    const faceDetector = { model: { name: 'unused', version: '0' }, detect: async () => [], close: async () => {} };
    const transform = builtinTransforms['blur-background']!({ config, faceDetector, personSegmenter: segmenter });
    expect(transform.model.version).toMatch(/^[0-9a-f]{12}-i256-b0.03-e0.3-0.7$/);
    expect(transform.adapter).toBe('builtin');
    const green = loadConfig({ FILMROOM_TRANSFORM_BACKGROUND_COLOUR: '#00B140' }).transform;
    expect(builtinTransforms['blur-background']!({ config: green, faceDetector, personSegmenter: segmenter }).model.version).toMatch(/-c00b140-e0.3-0.7$/);
  });

  it('blurs the checkerboard around the person (its high-frequency energy drops over 100×) and leaves the person as she is', async () => {
    const [out] = await createBlurBackgroundTransform(segmenter).transform([frame], context);
    for (const r of backgroundRegions) expect(laplacianVariance(frame, r) / laplacianVariance(out!, r)).toBeGreaterThan(100);
    for (const r of personRegions) expect(meanAbsDiff(frame, out!, r)).toBeLessThan(1);
  });

  it('paints the background when given a colour', async () => {
    const [out] = await createBlurBackgroundTransform(segmenter, { colour: [0, 177, 64] }).transform([frame], context);
    expect(pixel(out!, 10, 10)).toEqual([0, 177, 64]);
    expect(pixel(out!, 630, 350)).toEqual([0, 177, 64]);
    for (const r of personRegions) expect(meanAbsDiff(frame, out!, r)).toBeLessThan(1);
  });

  it('blurs a frame without a person all over', async () => {
    const all = { left: 0, top: 0, width: 320, height: 180 };
    const [blurred] = await createBlurBackgroundTransform(segmenter).transform([stripes(320, 180)], context);
    expect(laplacianVariance(stripes(320, 180), all) / laplacianVariance(blurred!, all)).toBeGreaterThan(100);
  });
});
