import { describe, expect, it } from 'vitest';
import type { BatchSceneScored } from '../../schemas/index.ts';
import { rowsOf } from '../../projections/rows.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch } from '../../storage/synthetic-batches.ts';
import { batchExtractedOf, handlerContext } from '../handler-fixtures.ts';
import { binsPerChannel } from './core/index.ts';
import { createScenesProcessor } from './index.ts';

describe('the scenes handler (in-memory ports)', () => {
  it('given a stored batch, scores each frame against the one before (the first: null) and carries its end histograms', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: 1, frameCount: 4 });
    const processor = createScenesProcessor({ frameSource: createFrameSource({ objectStore: store, cacheBatches: 2 }) });
    const batch = batchExtractedOf({ videoId: 'v1', batchIndex: 1, batchCount: 3, artifactUri: uri, frames, stages: ['EXTRACT', 'CHECKS'] });
    const [output] = await processor.handle(batch, handlerContext());
    expect(output).toMatchObject({ event: 'batch-scene-scored', key: 'v1/1' });
    const scored = output!.value as BatchSceneScored;
    expect(scored.frames.map((f) => f.frame_index)).toEqual(frames.map((f) => f.frameIndex));
    expect(scored.frames[0]!.score).toBeNull();
    for (const f of scored.frames.slice(1)) expect(f.score).toBeGreaterThanOrEqual(0);
    expect(scored.first_histogram).toHaveLength(3 * binsPerChannel);
    expect(scored.last_histogram).toHaveLength(3 * binsPerChannel);
    const again = await processor.handle(batch, handlerContext());
    expect(again[0]!.value).toEqual(scored);
    const rows = rowsOf('batch-scene-scored', scored);
    expect(rows.map((r) => r.table)).toEqual(['scene_batches', 'scene_scores', 'scene_scores', 'scene_scores', 'scene_scores']);
  });
});
