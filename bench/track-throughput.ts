import { performance } from 'node:perf_hooks';
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
  /** The PP-OCR recogniser on torso crops of the bench frames' person detections, one call per batch as the track stage makes it. */
  torso: { crops: number; seconds: number; meanWidth: number; meanHeight: number };
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
    const withCrops = batches.filter((b) => b.length > 0);
    const crops = withCrops.flat();
    if (crops.length === 0) return { synthetic: stats(syntheticFrames, syntheticSeconds), sample: stats(sampleFrames, sampleSeconds), torso: empty };
    await recognizer.recognize(crops.slice(0, 4)); // warm-up
    // At least 60 crops timed: the batches again when the frames hold few people.
    let timed = 0;
    let seconds = 0;
    while (timed < 60) {
      for (const batch of withCrops) {
        const began = performance.now();
        await recognizer.recognize(batch);
        seconds += (performance.now() - began) / 1000;
        timed += batch.length;
      }
    }
    return {
      synthetic: stats(syntheticFrames, syntheticSeconds),
      sample: stats(sampleFrames, sampleSeconds),
      torso: {
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

const empty = { crops: 0, seconds: 0, meanWidth: 0, meanHeight: 0 };

function stats(frames: readonly TrackerFrame[], seconds: number) {
  return { frames: frames.length, detections: frames.reduce((n, f) => n + f.detections.length, 0), seconds };
}
