import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { Config } from '../common/config.ts';
import { createTextRecognizer, type RgbImage } from '../inference/index.ts';
import { cropImage } from '../inference/decoders/text/index.ts';
import { linkTracklets, summaryOf, torsoBox, trackFrames, type TrackerFrame } from '../processors/track/core/index.ts';
import { boxAt, syntheticDetections, type SyntheticObject } from '../processors/track/core/synthetic-trajectories.ts';
import type { BatchDetected } from '../schemas/index.ts';
import { createFrameSource } from '../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../storage/object-store.ts';

export interface TrackBenchResult {
  /** The tracker and linker (pure) on synthetic players: 10 crossing the court for `frames` frames, batches of 30. */
  synthetic: { frames: number; detections: number; seconds: number };
  /** The same on the object detector's person and ball detections of the bench frames. */
  sample: { frames: number; detections: number; seconds: number };
  /**
   * The PP-OCR recogniser on torso crops, one call per batch as the track stage makes it: of the
   * bench frames' person detections, or synthetic ones when the frames hold no person.
   */
  torso: { source: 'detections' | 'synthetic'; crops: number; seconds: number; meanWidth: number; meanHeight: number; readRight?: number };
}

/** Tracks frames in batches of 30 and links the tracklets: what the track stage and the read model do, without I/O. */
function trackAndLink(frames: readonly TrackerFrame[]): number {
  const began = performance.now();
  const summaries = [];
  for (let b = 0; b * 30 < frames.length; b++) summaries.push(...trackFrames(frames.slice(b * 30, b * 30 + 30)).map((t) => summaryOf(b, t)));
  linkTracklets(summaries);
  return (performance.now() - began) / 1000;
}

/**
 * The tracker's detections per second and the torso OCR's time per crop, on the detections the
 * object detector made of the bench frames (`detected`, their artifacts still in the object store).
 */
export async function trackThroughput(config: Config, detected: readonly BatchDetected[]): Promise<TrackBenchResult> {
  const players: SyntheticObject[] = Array.from({ length: 10 }, (_, k) => ({
    id: `p${k}`,
    className: 'person',
    at: (i) => boxAt(0.05 + ((k * 0.09 + i * 0.002) % 0.9), 0.2 + 0.06 * k, 0.05, 0.15),
  }));
  const { frames: syntheticFrames } = syntheticDetections(players, 3000);
  trackAndLink(syntheticFrames.slice(0, 300)); // warm-up
  const syntheticSeconds = trackAndLink(syntheticFrames);

  const sampleFrames: TrackerFrame[] = [...detected]
    .sort((a, b) => a.batch_index - b.batch_index)
    .flatMap((d) =>
      d.frames.map((f) => ({
        frameIndex: f.frame_index,
        timestampS: f.timestamp_s,
        detections: f.detections.map((x) => ({ box: x.box, classId: x.class_id, className: x.class_name, score: x.score })),
      })),
    );
  const sampleSeconds = trackAndLink(sampleFrames);

  // Torso crops of every person detection (the stage reads the 3 sharpest per tracklet; here all, for a steadier mean).
  const s3 = createS3Client(config.s3);
  const recognizer = await createTextRecognizer(config.ocr);
  try {
    const frameSource = createFrameSource({ objectStore: s3ObjectStore(s3), cacheBatches: 1 });
    const batches: RgbImage[][] = [];
    for (const d of detected) {
      const images = new Map((await frameSource.frames(d.artifact_uri)).map((f) => [f.frameIndex, f.rgb]));
      batches.push(
        d.frames.flatMap((f) =>
          f.detections
            .filter((x) => x.class_name === 'person')
            .map((x) => {
              const image = images.get(f.frame_index)!;
              return cropImage(image, torsoBox(x.box, image.width, image.height));
            }),
        ),
      );
    }
    let withCrops = batches.filter((b) => b.length > 0);
    const source = withCrops.length > 0 ? ('detections' as const) : ('synthetic' as const);
    const synthetic = source === 'synthetic' ? await syntheticTorsos(60) : undefined;
    if (synthetic) withCrops = [synthetic.crops.slice(0, 30), synthetic.crops.slice(30)];
    const crops = withCrops.flat();
    await recognizer.recognize(crops.slice(0, 4)); // warm-up
    // At least 60 crops timed: the batches again when the frames hold few people.
    let timed = 0;
    let seconds = 0;
    let readRight = 0;
    while (timed < 60) {
      for (const batch of withCrops) {
        const began = performance.now();
        const readings = await recognizer.recognize(batch);
        seconds += (performance.now() - began) / 1000;
        if (synthetic) readRight += readings.filter((r, i) => r.text.trim() === synthetic.numbers[(timed + i) % synthetic.numbers.length]).length;
        timed += batch.length;
      }
    }
    return {
      synthetic: stats(syntheticFrames, syntheticSeconds),
      sample: stats(sampleFrames, sampleSeconds),
      torso: {
        source,
        ...(synthetic ? { readRight } : {}),
        crops: timed,
        seconds,
        meanWidth: crops.reduce((n, c) => n + c.width, 0) / crops.length,
        meanHeight: crops.reduce((n, c) => n + c.height, 0) / crops.length,
      },
    };
  } finally {
    await recognizer.close();
    s3.destroy();
  }
}

/**
 * Torso crops the size of the numbered-players video's (74×76 px): a jersey colour with a 1–2 digit
 * number in white on it, drawn by sharp's SVG renderer. What the recogniser costs depends on the
 * crop's size, not on who wears the number.
 */
async function syntheticTorsos(count: number): Promise<{ crops: RgbImage[]; numbers: string[] }> {
  const colours = ['#1d428a', '#ce1141', '#007a33', '#552583', '#000000'];
  const crops: RgbImage[] = [];
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const number = String((i * 37 + 3) % 100);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="74" height="76"><rect width="74" height="76" fill="${colours[i % colours.length]}"/><text x="37" y="50" font-family="DejaVu Sans" font-weight="bold" font-size="30" fill="#ffffff" text-anchor="middle">${number}</text></svg>`;
    const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    crops.push({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
    numbers.push(number);
  }
  return { crops, numbers };
}

function stats(frames: readonly TrackerFrame[], seconds: number) {
  return { frames: frames.length, detections: frames.reduce((n, f) => n + f.detections.length, 0), seconds };
}
