import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { createOnnxDetector, decodeRgbImage, type RgbImage } from '../inference/index.ts';
import { ensureSample } from '../samples/index.ts';

export interface FaceBenchResult {
  model: string;
  frames: number;
  width: number;
  height: number;
  threads: number;
  /** The bare session on tensors prepared beforehand: mean of a run before and one after the detector's. */
  bareSeconds: number;
  bareRange: [number, number];
  /** The face detector as the detect stage calls it: letterbox + normalise + NHWC + run + decode + NMS. */
  detectorSeconds: number;
  faces: number;
}

/**
 * The face detector (BlazeFace, 256 px) over frames of the bundled sample at `fps`, next to a bare
 * onnxruntime-node session running the same model on the same frames' tensors prepared beforehand.
 * No stack: it measures the model and its pre/post-processing only (the detect processor's own
 * overhead is the `detect` bench's).
 */
export async function faceThroughput(config: Config, options: { fps: number }): Promise<FaceBenchResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'filmroom-bench-faces-'));
  try {
    const sample = (await ensureSample(config)).path;
    await runCommand('ffmpeg', ['-nostdin', '-v', 'error', '-i', sample, '-vf', `fps=${options.fps}`, '-q:v', '3', join(tmp, 'f%05d.jpg')], {
      timeoutMs: 300_000,
      what: 'sampling the bench frames',
    });
    const images: RgbImage[] = [];
    for (const file of readdirSync(tmp).sort()) images.push(await decodeRgbImage(readFileSync(join(tmp, file)), file));
    const detector = await createOnnxDetector(config.faceDetect);
    try {
      const inputName = detector.session.inputNames[0]!;
      const tensors = images.map((image) => detector.prepare([image]).tensor);
      const bare = async () => {
        const began = performance.now();
        for (const tensor of tensors) await detector.session.run({ [inputName]: tensor });
        return (performance.now() - began) / 1000;
      };
      for (const tensor of tensors.slice(0, 5)) await detector.session.run({ [inputName]: tensor }); // warm-up
      const before = await bare();
      const began = performance.now();
      let faces = 0;
      for (const image of images) faces += (await detector.detect([image]))[0]!.length;
      const detectorSeconds = (performance.now() - began) / 1000;
      const after = await bare();
      return {
        model: detector.model.name,
        frames: images.length,
        width: images[0]!.width,
        height: images[0]!.height,
        threads: config.faceDetect.threads,
        bareSeconds: (before + after) / 2,
        bareRange: [before, after],
        detectorSeconds,
        faces,
      };
    } finally {
      await detector.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
