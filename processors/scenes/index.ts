import type { BatchExtracted, BatchSceneScored } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts, type Output } from '../../schemas/envelope.ts';
import type { FrameSource } from '../../storage/ports.ts';
import { defineProcessor } from '../../streams/processor.ts';
import { colourHistogram, sceneChange } from './core/index.ts';

/** The scorer's version: histogram bins and distance. A change is a new version, whose scores sit beside the old. */
export const sceneScorerVersion = '1.0.0';

/** The batch-scene-scored event of a batch, from its frames' colour histograms in frame order. */
export function batchSceneScoredOf(input: {
  batch: BatchExtracted;
  frames: readonly { frameIndex: number; timestampS: number; histogram: number[] }[];
  occurredAt: number;
}): Output<'batch-scene-scored'> {
  const { batch, frames } = input;
  const value: BatchSceneScored = {
    event_id: deterministicEventId('batch-scene-scored', batch.video_id, ...runParts(batch.run_id), batch.batch_index, sceneScorerVersion),
    occurred_at: input.occurredAt,
    producer: { name: 'scenes', version: sceneScorerVersion },
    video_id: batch.video_id,
    run_id: batch.run_id,
    batch_index: batch.batch_index,
    batch_count: batch.batch_count,
    scorer_version: sceneScorerVersion,
    frames: frames.map((f, i) => ({
      frame_index: f.frameIndex,
      timestamp_s: f.timestampS,
      score: i === 0 ? null : sceneChange(frames[i - 1]!.histogram, f.histogram),
    })),
    first_histogram: frames[0]?.histogram ?? [],
    last_histogram: frames[frames.length - 1]?.histogram ?? [],
  };
  return { event: 'batch-scene-scored', key: batchKey(batch.video_id, batch.batch_index), value };
}

/**
 * The scenes stage: batch-extracted → batch-scene-scored. Scores each sampled frame's change from
 * the one before by colour histogram (processors/scenes/core); cuts are scores over a scene
 * version's threshold, found when read, so a new threshold needs no replay. Runs with the checks
 * (stage CHECKS): it reads the same decoded frames, which the process's frame source shares.
 */
export function createScenesProcessor(options: { frameSource: FrameSource }) {
  return defineProcessor({
    name: 'scenes',
    version: sceneScorerVersion,
    input: 'batch-extracted',
    stages: ['CHECKS'],
    outputs: ['batch-scene-scored'],
    async handle(batch, context) {
      const frames = await options.frameSource.frames(batch.artifact_uri);
      const scored = [...frames]
        .sort((a, b) => a.frameIndex - b.frameIndex)
        .map((f) => ({ frameIndex: f.frameIndex, timestampS: f.timestampS, histogram: colourHistogram(f.rgb) }));
      return [batchSceneScoredOf({ batch, frames: scored, occurredAt: context.now() })];
    },
  });
}
