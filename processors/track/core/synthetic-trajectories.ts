import type { NormalisedBox } from '../../../schemas/vision.ts';
import type { BatchDetected } from '../../../schemas/index.ts';
import { iou } from '../../../inference/decoders/detection/geometry.ts';
import { greedyMatch } from './association.ts';
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
    replay_id: null,
    stages: ['EXTRACT', 'DETECT'],
  }));
}

/**
 * ID switches as MOT counts them (a ground-truth object matched, at IoU ≥ 0.5, to another track
 * than the last time it was matched) and the share of ground-truth boxes matched at all.
 */
export function idSwitches(
  frames: readonly TrackerFrame[],
  truth: readonly Map<string, NormalisedBox>[],
  byFrame: Map<number, { trackId: string; box: NormalisedBox }[]>,
): { switches: number; recall: number } {
  const last = new Map<string, string>();
  let switches = 0;
  let matched = 0;
  let objects = 0;
  frames.forEach((frame, i) => {
    const gt = [...truth[i]!];
    const hyp = byFrame.get(frame.frameIndex) ?? [];
    objects += gt.length;
    const m = greedyMatch(
      gt.map(([, box]) => hyp.map((h) => iou(box, h.box))),
      hyp.length,
      0.5,
    );
    for (const [g, h] of m.pairs) {
      matched++;
      const id = gt[g]![0];
      const trackId = hyp[h]!.trackId;
      if (last.has(id) && last.get(id) !== trackId) switches++;
      last.set(id, trackId);
    }
  });
  return { switches, recall: matched / objects };
}

const lerp = (a: number, b: number, s: number) => a + (b - a) * s;
const person = 0.06;
const height = 0.18;

/** 9 s at 10 fps: two players crossing (the farther one hidden while they overlap), one entering and leaving, one standing through an occlusion. */
export function court(): SyntheticObject[] {
  const crossingA: SyntheticObject = { id: 'A', className: 'person', at: (i) => boxAt(lerp(0.1, 0.8, i / 89), 0.5, person, height) };
  const crossingB: SyntheticObject = {
    id: 'B',
    className: 'person',
    at: (i) => boxAt(lerp(0.85, 0.15, i / 89), 0.53, person, height),
    // Hidden behind A while they overlap.
    score: (i) => (iou(crossingA.at(i)!, boxAt(lerp(0.85, 0.15, i / 89), 0.53, person, height)) > 0.3 ? undefined : 0.62),
  };
  const passing: SyntheticObject = {
    id: 'C',
    className: 'person',
    at: (i) => (i >= 20 && i < 70 ? boxAt(lerp(0.05, 0.95, (i - 20) / 49), 0.25, person * 0.8, height * 0.8) : undefined),
  };
  const standing: SyntheticObject = {
    id: 'D',
    className: 'person',
    at: () => boxAt(0.5, 0.8, person * 1.3, height * 1.3),
    // Occluded for 4 frames around a batch boundary, then seen weakly for one frame (ByteTrack's second pass).
    score: (i) => (i >= 26 && i < 30 ? undefined : i === 30 ? 0.3 : 0.55),
  };
  return [crossingA, crossingB, passing, standing];
}
