import type { NormalisedBox } from '../../../schemas/vision.ts';
import type { BatchDetected } from '../../../schemas/index.ts';
import type { TrackerFrame } from './byte-tracker.ts';

/** A synthetic object: where it is (or undefined: not in the picture) at each frame, and how it is detected. */
export interface SyntheticObject {
  id: string;
  className: 'person' | 'sports ball';
  /** Its box at frame i, undefined while outside the picture. */
  at(frame: number): NormalisedBox | undefined;
  /** Its detection score at frame i; undefined: not detected (occluded). */
  score?(frame: number): number | undefined;
}

/** A deterministic pseudo-random sequence (LCG) for detection jitter. */
function jitterSource(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

export const boxAt = (cx: number, cy: number, w: number, h: number): NormalisedBox => ({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 });

/**
 * The detections a detector would give of these objects over `frames` frames at `fps`: each box
 * jittered by up to ±`jitter`, scores as each object says (default 0.6). Also returns the ground
 * truth per frame (object id → box), for scoring a tracker against.
 */
export function syntheticDetections(
  objects: readonly SyntheticObject[],
  frames: number,
  options: { fps?: number; jitter?: number; seed?: number } = {},
): { frames: TrackerFrame[]; truth: Map<string, NormalisedBox>[] } {
  const fps = options.fps ?? 10;
  const jitter = options.jitter ?? 0.003;
  const next = jitterSource(options.seed ?? 1);
  const out: TrackerFrame[] = [];
  const truth: Map<string, NormalisedBox>[] = [];
  for (let i = 0; i < frames; i++) {
    const detections: TrackerFrame['detections'][number][] = [];
    const seen = new Map<string, NormalisedBox>();
    for (const object of objects) {
      const box = object.at(i);
      if (!box) continue;
      seen.set(object.id, box);
      const score = object.score ? object.score(i) : 0.6;
      if (score === undefined) continue;
      const j = () => next() * 2 * jitter;
      detections.push({
        box: { x1: box.x1 + j(), y1: box.y1 + j(), x2: box.x2 + j(), y2: box.y2 + j() },
        classId: object.className === 'person' ? 0 : 32,
        className: object.className,
        score,
      });
    }
    out.push({ frameIndex: i * 3, timestampS: Math.round((i / fps) * 1e6) / 1e6, detections });
    truth.push(seen);
  }
  return { frames: out, truth };
}

/** The batch-detected events a detect stage would emit for these frames, `batchSize` frames a batch. */
export function syntheticDetectedBatches(input: { videoId: string; runId: string; frames: readonly TrackerFrame[]; batchSize: number }): BatchDetected[] {
  const batchCount = Math.ceil(input.frames.length / input.batchSize);
  return Array.from({ length: batchCount }, (_, b) => ({
    event_id: `detected-${input.videoId}-${b}`,
    occurred_at: 1_700_000_000_000 + b,
    producer: { name: 'detect', version: 'synthetic' },
    video_id: input.videoId,
    run_id: input.runId,
    batch_index: b,
    batch_count: batchCount,
    artifact_uri: `s3://filmroom-artifacts/videos/${input.videoId}/batches/${b}.tar`,
    frames: input.frames.slice(b * input.batchSize, (b + 1) * input.batchSize).map((f) => ({
      frame_index: f.frameIndex,
      timestamp_s: f.timestampS,
      detections: f.detections.map((d) => ({ box: d.box, class_id: d.classId, class_name: d.className, score: Math.fround(d.score) })),
    })),
    model: { name: 'synthetic-detector', version: '1' },
    inference_ms: 0,
    stages: ['EXTRACT', 'DETECT'],
  }));
}
