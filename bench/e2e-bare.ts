import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { createOnnxDetector, createTextRecognizer, decodeRgbImage, type RgbImage } from '../inference/index.ts';
import { cropImage } from '../inference/decoders/text/index.ts';
import { checkVersion } from '../processors/checks/check-versions.ts';
import { analysisLumaOf } from '../processors/checks/analysis-luma.ts';
import { runChecks, type LumaFrame } from '../processors/checks/core/index.ts';
import { defaultSampleFps } from '../processors/extract/plan.ts';
import { regionsToRead } from '../processors/ocr/core/index.ts';

/** Seconds each bare tool took over the same frames the pipeline sampled, and what it worked on. */
export interface BareToolsResult {
  frames: number;
  crops: number;
  /** `ffmpeg -i … -vf select=… -q:v 3 %05d.jpg` per video: decode, sample and JPEG-encode. */
  decodeAndJpegSeconds: number;
  /** Each detector's onnxruntime-node session on tensors prepared beforehand. */
  objectsSessionSeconds: number;
  textSessionSeconds: number;
  /** The recogniser's session on the crops the text detector's regions give. */
  recognizerSeconds: number;
  /** The checks' pure cores on luma prepared beforehand. */
  checksSeconds: number;
  totalSeconds: number;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * What the same work costs done by the bare tools one after the other, each alone on the machine:
 * no Kafka, S3, TAR, events or ClickHouse, and no JPEG decode or tensor making in the clocks (the
 * tools are handed prepared input, as their own benchmarks do).
 */
export async function bareTools(config: Config, videos: readonly string[], options: { batchSize: number; sourceFps: number }): Promise<BareToolsResult> {
  const { batchSize } = options;
  // The frames the extractor samples: every stride-th source frame from the first.
  const stride = Math.max(1, Math.round(options.sourceFps / defaultSampleFps));
  const tmp = mkdtempSync(join(tmpdir(), 'filmroom-bench-e2e-'));
  try {
    const jpegs: Buffer[] = [];
    let decodeAndJpegSeconds = 0;
    for (const [n, video] of videos.entries()) {
      const out = join(tmp, String(n));
      await runCommand('mkdir', ['-p', out]);
      const started = performance.now();
      await runCommand(
        'ffmpeg',
        ['-nostdin', '-v', 'error', '-i', video, '-vf', `select=not(mod(n\\,${stride}))`, '-fps_mode', 'vfr', '-q:v', '3', join(out, '%05d.jpg')],
        {
          timeoutMs: 30 * 60_000,
          what: 'bare ffmpeg sampling',
        },
      );
      decodeAndJpegSeconds += seconds(started);
      for (const file of readdirSync(out).sort()) jpegs.push(readFileSync(join(out, file)));
    }
    const images: RgbImage[] = [];
    for (const jpeg of jpegs) images.push(await decodeRgbImage(jpeg, 'bench frame'));

    const timeDetector = async (detectConfig: Config['detect']) => {
      const detector = await createOnnxDetector(detectConfig);
      const callSize = Math.min(detectConfig.maxBatch, detector.maxImagesPerCall);
      const tensors = [];
      for (let b = 0; b < images.length; b += batchSize) {
        const batch = images.slice(b, b + batchSize);
        for (let s = 0; s < batch.length; s += callSize) tensors.push(detector.prepare(batch.slice(s, s + callSize)).tensor);
      }
      const input = detector.session.inputNames[0]!;
      await detector.session.run({ [input]: tensors[0]! }); // warm-up
      const started = performance.now();
      for (const tensor of tensors) await detector.session.run({ [input]: tensor });
      const took = seconds(started);
      await detector.close();
      return { took };
    };
    const objects = await timeDetector(config.detect);

    // The text detector's regions give the crops the recogniser reads (untimed: the detection above is).
    const textDetector = await createOnnxDetector(config.textDetect);
    const crops: RgbImage[] = [];
    for (let b = 0; b < images.length; b += batchSize) {
      const batch = images.slice(b, b + batchSize);
      const found = await textDetector.detect(batch);
      const regions = regionsToRead(
        found.map((detections, i) => ({
          frame_index: b + i,
          timestamp_s: 0,
          detections: detections.map((d) => ({ box: d.box, class_id: d.classId, class_name: d.className, score: d.score })),
        })),
        config.ocr.classes,
      );
      for (const region of regions) crops.push(cropImage(images[region.frameIndex]!, region.box));
    }
    await textDetector.close();
    const text = await timeDetector(config.textDetect);

    const recognizer = await createTextRecognizer(config.ocr);
    await recognizer.recognize(crops.slice(0, 8)); // warm-up
    let started = performance.now();
    for (let c = 0; c < crops.length; c += config.ocr.maxCrops) await recognizer.recognize(crops.slice(c, c + config.ocr.maxCrops));
    const recognizerSeconds = seconds(started);
    await recognizer.close();

    const checks = checkVersion(config.checks.version);
    const luma: LumaFrame[] = [];
    // The JPEG is not read: the luma comes from the decoded RGB, as the checks stage does.
    for (const [i, rgb] of images.entries())
      luma.push(await analysisLumaOf({ frameIndex: i, timestampS: i, jpeg: Buffer.alloc(0), rgb }, checks.analysisWidth));
    started = performance.now();
    for (let b = 0; b < luma.length; b += batchSize) runChecks(luma.slice(b, b + batchSize), checks.thresholds, checks.enabled);
    const checksSeconds = seconds(started);

    const totalSeconds = decodeAndJpegSeconds + objects.took + text.took + recognizerSeconds + checksSeconds;
    return {
      frames: images.length,
      crops: crops.length,
      decodeAndJpegSeconds,
      objectsSessionSeconds: objects.took,
      textSessionSeconds: text.took,
      recognizerSeconds,
      checksSeconds,
      totalSeconds,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
