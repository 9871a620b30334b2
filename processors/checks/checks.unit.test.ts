import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../schemas/index.ts';
import type { ArtifactFrame } from '../../storage/batch-artifact.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch } from '../../storage/synthetic-batches.ts';
import { batchExtractedOf, handlerContext } from '../handler-fixtures.ts';
import { analysisLumaOf } from './analysis-luma.ts';
import { checkVersion } from './check-versions.ts';
import { runChecks, type LumaFrame } from './core/index.ts';
import { createChecksProcessor } from './index.ts';

/** How the checks read frames before the frame source: each JPEG decoded straight to luma at the analysis width. */
async function lumaDecodedFromJpeg(frame: ArtifactFrame, analysisWidth: number): Promise<LumaFrame> {
  const { data, info } = await sharp(frame.jpeg)
    .resize({ width: analysisWidth, withoutEnlargement: true })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, luma: new Uint8Array(data), frameIndex: frame.frameIndex, timestampS: frame.timestampS };
}

describe('the checks handler (in-memory ports)', () => {
  it('given a stored batch, emits one check-result per enabled check of the version, over every frame', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: 2, frameCount: 4 });
    const processor = createChecksProcessor({ frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }), version: 'v2' });

    const outputs = await processor.handle(
      batchExtractedOf({ videoId: 'v1', batchIndex: 2, batchCount: 3, artifactUri: uri, frames, stages: ['EXTRACT', 'CHECKS'] }),
      handlerContext(),
    );

    const results = outputs.map((o) => o.value as CheckResult);
    expect(outputs.every((o) => o.event === 'check-result')).toBe(true);
    expect(results.map((r) => r.check_name).sort()).toEqual([...checkVersion('v2').enabled].sort());
    expect(results.every((r) => r.check_version === 'v2' && r.frames_evaluated === 4 && r.batch_index === 2 && r.batch_count === 3)).toBe(true);
  });

  it('measures exactly what it measured when it decoded each JPEG to luma itself: same luma bytes, same measures (sample-sized 640×360 frames)', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: 0, frameCount: 6, width: 640, height: 360 });
    const { analysisWidth, thresholds, enabled } = checkVersion('v1');
    const decoded = await createFrameSource({ objectStore: store, cacheBatches: 0 }).frames(uri);

    const before = await Promise.all(frames.map((f) => lumaDecodedFromJpeg(f, analysisWidth)));
    const after = await Promise.all(decoded.map((f) => analysisLumaOf(f, analysisWidth)));

    expect(after.map((f) => [f.width, f.height])).toEqual(before.map((f) => [f.width, f.height]));
    after.forEach((frame, i) => expect(Buffer.from(frame.luma).equals(Buffer.from(before[i]!.luma))).toBe(true));
    expect(runChecks(after, thresholds, enabled)).toEqual(runChecks(before, thresholds, enabled));
  });
});
