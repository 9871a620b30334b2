import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import type { RgbImage } from '../../schemas/vision.ts';
import { decodeRgbImage } from '../decode-image.ts';
import { faceBlurRegions, defaultFaceBlur } from '../decoders/transform/blur-regions.ts';
import { createOnnxDetector, type OnnxDetector } from '../onnx-detector.ts';
import { builtinTransforms, createAnonymizeFacesTransform } from './index.ts';

const photo = (name: string) => decodeRgbImage(readFileSync(new URL(`../../test/fixtures/people/${name}`, import.meta.url)), name);
/** The astronaut and the cameraman side by side at 320 px in a 640×360 frame (faces of about 60 and 47 px), as the e2e test's video. */
async function sideBySide(): Promise<RgbImage> {
  const scaled = (name: string) =>
    sharp(readFileSync(new URL(`../../test/fixtures/people/${name}`, import.meta.url)))
      .resize(320, 320)
      .toColourspace('srgb')
      .png()
      .toBuffer();
  const composed = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#000' } })
    .composite([
      { input: await scaled('astronaut.png'), left: 0, top: 20 },
      { input: await scaled('camera.png'), left: 320, top: 20 },
    ])
    .png()
    .toBuffer();
  return decodeRgbImage(composed, 'side by side');
}

const context = { signal: new AbortController().signal, workDir: '/nonexistent', onProgress: () => {} };

// The committed BlazeFace through onnxruntime-node, on the public-domain photos of test/fixtures/people.
describe('the built-in anonymize-faces transform', () => {
  let detector: OnnxDetector;
  beforeAll(async () => {
    detector = await createOnnxDetector(loadConfig({ FILMROOM_DETECT_THREADS: '1' }).faceDetect);
  });
  afterAll(() => detector.close());

  it('is registered by name, versioned by the detector (weights and thresholds) and the blur settings', () => {
    // anonymize-faces takes only the face detector: the segmenter port is there for the type.
    const personSegmenter = { model: { name: 'unused', version: '0' }, segment: async () => [], close: async () => {} };
    const transform = builtinTransforms['anonymize-faces']!({ config: loadConfig({}).transform, faceDetector: detector, personSegmenter });
    expect(transform.model).toEqual({ name: 'anonymize-faces', version: `${detector.model.version}-m0.5-b0.15-p3` });
    expect(transform.model.version).toMatch(/^[0-9a-f]{12}-i256-s0.5-n0.45-m0.5-b0.15-p3$/);
    expect(transform.adapter).toBe('builtin');
  });

  it('blurs every face so the detector no longer finds one at 0.5, and leaves the pixels outside the blurred regions alone', async () => {
    const transform = createAnonymizeFacesTransform(detector);
    const inputs = [await photo('astronaut.png'), await photo('camera.png')];
    const outputs = await transform.transform(inputs, context);
    expect(outputs).toHaveLength(2);
    const before = await detector.detect(inputs);
    const after = await detector.detect(outputs);
    for (const [i, input] of inputs.entries()) {
      expect(before[i]!.length).toBeGreaterThan(0);
      expect(after[i]!.filter((d) => d.score >= 0.5)).toEqual([]);
      const [region] = faceBlurRegions(before[i]!, input.width, input.height, defaultFaceBlur);
      const inside = (x: number, y: number) => x >= region!.left && x < region!.left + region!.width && y >= region!.top && y < region!.top + region!.height;
      let changedOutside = 0;
      let changedInside = 0;
      for (let y = 0; y < input.height; y++) {
        for (let x = 0; x < input.width; x++) {
          const at = (y * input.width + x) * 3;
          const changed = input.data[at] !== outputs[i]!.data[at] || input.data[at + 1] !== outputs[i]!.data[at + 1];
          if (changed && inside(x, y)) changedInside++;
          else if (changed) changedOutside++;
        }
      }
      expect(changedOutside).toBe(0);
      expect(changedInside).toBeGreaterThan((region!.width * region!.height) / 2);
    }
  });

  it('blurs again what still reads as a face after one pass (the cameraman at 47 px), so that nothing is left at 0.5', async () => {
    const frame = await sideBySide();
    expect((await detector.detect([frame]))[0]!.length).toBe(2);
    const [once] = await createAnonymizeFacesTransform(detector, { ...defaultFaceBlur, passes: 1 }).transform([frame], context);
    const [anonymized] = await createAnonymizeFacesTransform(detector).transform([frame], context);
    const [[leftOnce = []], [left = []]] = [await detector.detect([once!]), await detector.detect([anonymized!])];
    expect(leftOnce.length).toBeGreaterThan(0);
    expect(left).toEqual([]);
  });

  it('gives a frame without a face back as it is', async () => {
    const grey: RgbImage = { width: 320, height: 180, data: new Uint8Array(320 * 180 * 3).fill(128) };
    const [out] = await createAnonymizeFacesTransform(detector).transform([grey], context);
    expect(out).toBe(grey);
  });
});
