import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../common/config.ts';
import { createOnnxDetector, type OnnxDetector } from './onnx-detector.ts';
import { decodeRgbImage } from './decode-image.ts';

const photo = (name: string) => decodeRgbImage(readFileSync(new URL(`../test/fixtures/people/${name}`, import.meta.url)), name);

// The committed NanoDet through the real onnxruntime-node, on public-domain photos (test/fixtures/people/README.md).
describe('the bundled object detector (NanoDet, COCO classes)', () => {
  let detector: OnnxDetector;
  beforeAll(async () => {
    detector = await createOnnxDetector(loadConfig({ FILMROOM_DETECT_THREADS: '2' }).detect);
  });
  afterAll(() => detector.close());

  it('is the default detector, named nanodet-416, with the six per-stride outputs the decoder pairs', () => {
    expect(detector.model).toEqual({ name: 'nanodet-416', version: expect.stringMatching(/^[0-9a-f]{12}-i416-s0\.35-n0\.45$/) });
    expect(detector.session.inputNames).toEqual(['input_1:0']);
    expect(detector.session.outputNames).toHaveLength(6);
  });

  it('finds the astronaut and the cameraman as one person each, boxes around them, in one call of two frames', async () => {
    const [astronaut, cameraman] = await detector.detect([await photo('astronaut.png'), await photo('camera.png')]);
    const people = (found: typeof astronaut) => found!.filter((d) => d.className === 'person');
    expect(people(astronaut)).toHaveLength(1);
    expect(people(cameraman)).toHaveLength(1);
    const [a] = people(astronaut);
    const [c] = people(cameraman);
    expect(a).toMatchObject({ classId: 0, score: expect.any(Number) });
    expect(a!.score).toBeGreaterThan(0.5);
    expect(c!.score).toBeGreaterThan(0.5);
    // The astronaut fills the left two thirds of the frame, top to bottom; the cameraman stands left of centre.
    expect(a!.box.x1).toBeLessThan(0.1);
    expect(a!.box.x2).toBeGreaterThan(0.6);
    expect(a!.box.x2).toBeLessThan(0.8);
    expect(a!.box.y2).toBeGreaterThan(0.9);
    expect(c!.box.x1).toBeLessThan(0.1);
    expect(c!.box.x2).toBeGreaterThan(0.5);
    expect(c!.box.x2).toBeLessThan(0.75);
    expect(c!.box.y1).toBeGreaterThan(0.05);
    expect(c!.box.y1).toBeLessThan(0.25);
  });
});
