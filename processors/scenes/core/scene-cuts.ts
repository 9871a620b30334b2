import { sceneChange } from './colour-histogram.ts';

/** A batch's scene-change scores: each frame's against the frame before it, and its end histograms. */
export interface BatchSceneScores {
  batchIndex: number;
  batchCount: number;
  frames: readonly { frameIndex: number; timestampS: number; score: number | null }[];
  firstHistogram: readonly number[];
  lastHistogram: readonly number[];
}

export interface SceneFrameScore {
  frameIndex: number;
  timestampS: number;
  /** Change from the sampled frame before; null for the video's first frame (or after a missing batch). */
  score: number | null;
}

export interface Scene {
  sceneIndex: number;
  startFrame: number;
  startS: number;
  /** The scene's last sampled frame. */
  endFrame: number;
  endS: number;
  /** The change score of the cut that starts it; null for the first scene. */
  cutScore: number | null;
}

/**
 * Every sampled frame's score in time order: within a batch as measured, and for a batch's first
 * frame its change from the previous batch's last frame (their histograms travel in the events),
 * so a cut on a batch boundary is found like any other, whatever order the batches came in.
 */
export function frameScores(batches: readonly BatchSceneScores[]): SceneFrameScore[] {
  const byIndex = new Map(batches.map((b) => [b.batchIndex, b]));
  return [...byIndex.values()]
    .sort((a, b) => a.batchIndex - b.batchIndex)
    .flatMap((batch) => {
      const previous = byIndex.get(batch.batchIndex - 1);
      return batch.frames.map((f, i) => ({
        frameIndex: f.frameIndex,
        timestampS: f.timestampS,
        score: i === 0 && previous && previous.frames.length > 0 ? sceneChange(previous.lastHistogram, batch.firstHistogram) : f.score,
      }));
    });
}

/** Scenes: a cut at every frame whose score reaches `threshold`; a scene runs from one cut to the frame before the next. */
export function scenesOf(frames: readonly SceneFrameScore[], threshold: number): Scene[] {
  const scenes: Scene[] = [];
  frames.forEach((frame, i) => {
    const cut = i === 0 || (frame.score !== null && frame.score >= threshold);
    if (cut) {
      scenes.push({
        sceneIndex: scenes.length,
        startFrame: frame.frameIndex,
        startS: frame.timestampS,
        endFrame: frame.frameIndex,
        endS: frame.timestampS,
        cutScore: i === 0 ? null : frame.score,
      });
    } else {
      const scene = scenes[scenes.length - 1]!;
      scene.endFrame = frame.frameIndex;
      scene.endS = frame.timestampS;
    }
  });
  return scenes;
}
