import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../common/config.ts';
import { decodeRgbImage } from './decode-image.ts';
import { decodePersonMask, defaultBackground, personShare } from './decoders/transform/person-mask.ts';
import { createPersonSegmenter, type OnnxPersonSegmenter } from './person-segmenter.ts';

const folder = new URL('../models/person-segmenter/', import.meta.url);
const provenance = JSON.parse(readFileSync(new URL('selfie.provenance.json', folder), 'utf8')) as {
  sha256: string;
  inputs: { name: string }[];
  outputs: { name: string }[];
};
const photo = (name: string) => decodeRgbImage(readFileSync(new URL(`../test/fixtures/people/${name}`, import.meta.url)), name);

// The committed selfie model through the real onnxruntime-node, on the public-domain photos of test/fixtures/people.
describe('the bundled person segmenter (MediaPipe Selfie Segmentation, 256 px)', () => {
  let segmenter: OnnxPersonSegmenter;
  beforeAll(async () => {
    segmenter = await createPersonSegmenter(loadConfig({ FILMROOM_DETECT_THREADS: '1' }).personSegment);
  });
  afterAll(() => segmenter.close());

  it('is the file its provenance describes, with its licences beside it', () => {
    expect(segmenter.model).toEqual({ name: 'selfie-256', version: `${provenance.sha256.slice(0, 12)}-i256` });
    expect(segmenter.session.inputNames).toEqual(provenance.inputs.map((i) => i.name));
    expect(segmenter.session.outputNames).toEqual(provenance.outputs.map((o) => o.name));
    for (const file of ['LICENSE.apache-2.0', 'LICENSE.human-models', 'README.md']) expect(existsSync(new URL(file, folder)), file).toBe(true);
  });

  it('finds the person in both photos: most of the astronaut portrait, the camera man’s head and shoulders, no corner of the sky', async () => {
    const [astronaut, camera] = await segmenter.segment([await photo('astronaut.png'), await photo('camera.png')]);
    const masks = [astronaut!, camera!].map((p) => decodePersonMask(p.data, p.dims, defaultBackground));
    expect(masks.map((m) => m.width * 1000 + m.height)).toEqual([256256, 256256]);
    expect(personShare(masks[0]!)).toBeGreaterThan(0.4);
    expect(personShare(masks[1]!)).toBeGreaterThan(0.2);
    const at = (m: (typeof masks)[0], x: number, y: number) => m.alpha[Math.round(y * 255) * 256 + Math.round(x * 255)];
    // Her face (x 0.44, y 0.2 of the photo) and his head (0.4, 0.2) are person; the top-right corners are not.
    expect(at(masks[0]!, 0.44, 0.2)).toBe(255);
    expect(at(masks[1]!, 0.4, 0.2)).toBe(255);
    expect([at(masks[0]!, 0.95, 0.05), at(masks[1]!, 0.95, 0.05)]).toEqual([0, 0]);
  });
});
