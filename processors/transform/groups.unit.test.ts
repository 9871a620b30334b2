import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { createMockTransform } from '../../inference/transforms/index.ts';
import type { FrameTransform } from '../../schemas/vision.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch } from '../../storage/synthetic-batches.ts';
import { consumerGroupOf } from '../../streams/processor.ts';
import { batchExtractedOf, handlerContext } from '../handler-fixtures.ts';
import { createTransformProcessors } from './index.ts';

const store = new InMemoryObjectStore();
const config = { ...loadConfig({ FILMROOM_S3_BUCKET_ARTIFACTS: 'artifacts' }), transform: { modelSize: undefined, tmpDir: '/tmp' } };
const transform = (name: string, version: string): FrameTransform => createMockTransform({ name, version });
const groupsOf = (transforms: FrameTransform[], prefix = '') =>
  createTransformProcessors({ objectStore: store, frameSource: createFrameSource({ objectStore: store, cacheBatches: 1 }), transforms, config }).map((p) =>
    consumerGroupOf(p, prefix),
  );

// Regression: the stage's one consumer group was named after every transform's version, so adding
// blur-background (or any transform, or a new version of one) renamed it and the stage read the
// whole batch-extracted history again for all transforms.
describe('the transform stage’s consumer groups', () => {
  const before = [transform('mock', '1'), transform('anonymize-faces', 'd0197893b0b3-m0.5'), transform('model', '1')];

  it('are one per transform name@version, and the guard’s, which carries no version', () => {
    expect(groupsOf(before, 'prod.')).toEqual([
      'prod.filmroom.transform',
      'prod.filmroom.transform.mock@1',
      'prod.filmroom.transform.anonymize-faces@d0197893b0b3-m0.5',
      'prod.filmroom.transform.model@1',
    ]);
  });

  it('adding a transform adds one group and leaves every other group (so its offsets) as it was', () => {
    const after = groupsOf([...before, transform('blur-background', 'fefa6d6c7bde-i256-b0.03-e0.3-0.7')]);
    expect(after.filter((g) => !groupsOf(before).includes(g))).toEqual(['filmroom.transform.blur-background@fefa6d6c7bde-i256-b0.03-e0.3-0.7']);
    expect(groupsOf(before).every((g) => after.includes(g))).toBe(true);
  });

  it('a new version of one transform is a new group for that transform only: its replay from stored frames', () => {
    const after = groupsOf([before[0]!, transform('anonymize-faces', 'd0197893b0b3-m0.6'), before[2]!]);
    expect(after.filter((g) => !groupsOf(before).includes(g))).toEqual(['filmroom.transform.anonymize-faces@d0197893b0b3-m0.6']);
    expect(groupsOf(before).filter((g) => !after.includes(g))).toEqual(['filmroom.transform.anonymize-faces@d0197893b0b3-m0.5']);
  });

  it('does not depend on the order transforms are listed in', () => {
    expect(groupsOf([...before].reverse()).sort()).toEqual(groupsOf(before).sort());
  });

  it('each transform’s processor works only on the batches that asked for it', async () => {
    const stored = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'g1', batchIndex: 0, frameCount: 1, width: 8, height: 8 });
    const batch = (name: string) =>
      batchExtractedOf({ videoId: 'g1', batchIndex: 0, batchCount: 1, artifactUri: stored.uri, frames: stored.frames, stages: ['EXTRACT'], transform: name });
    const ran: string[] = [];
    const recording = before.map((t) => ({
      ...t,
      transform: async (...args: Parameters<FrameTransform['transform']>) => (ran.push(t.model.name), t.transform(...args)),
    }));
    const [, ...processors] = createTransformProcessors({
      objectStore: store,
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 1 }),
      transforms: recording,
      config,
    });
    const outputs = await Promise.all(processors.map((p) => p.handle(batch('model'), handlerContext())));
    expect(outputs.map((o) => o.map((x) => x.event))).toEqual([[], [], ['batch-transformed', 'video-transformed']]);
    expect(ran).toEqual(['model']);
  });
});
