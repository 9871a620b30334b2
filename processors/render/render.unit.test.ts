import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import type { OcrDone, RenderDone } from '../../schemas/index.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch } from '../../storage/synthetic-batches.ts';
import { handlerContext } from '../handler-fixtures.ts';
import { createRenderProcessor } from './index.ts';
import { contactSheetKey, previewKey, segmentInfoKey, segmentKey } from './plan.ts';

const config = loadConfig({
  FILMROOM_S3_BUCKET_ARTIFACTS: 'artifacts',
  FILMROOM_RENDER_WIDTH: '64',
  FILMROOM_RENDER_THUMBNAILS: '2',
  FILMROOM_CLIPS_TMP_DIR: tmpdir(),
});

function ocrDoneOf(batchIndex: number, frames: { frameIndex: number; timestampS: number }[]): OcrDone {
  return {
    event_id: `ocr-${batchIndex}`,
    occurred_at: 1,
    producer: { name: 'ocr', version: 'test' },
    video_id: 'v1',
    run_id: '',
    batch_index: batchIndex,
    batch_count: 2,
    texts: [{ frame_index: frames[0]!.frameIndex, box: { x1: 0.25, y1: 0, x2: 0.75, y2: 0.125 }, text: 'LIONS', confidence: 0.9 }],
    regions_evaluated: 1,
    artifact_uri: '',
    replay_id: null,
    model: { name: 'fake', version: '1' },
    stages: ['EXTRACT', 'DETECT', 'OCR', 'RENDER'],
    detections: frames.map((f) => ({
      frame_index: f.frameIndex,
      timestamp_s: f.timestampS,
      detections: [{ box: { x1: 0.25, y1: 0, x2: 0.75, y2: 0.125 }, class_id: 0, class_name: 'text', score: 0.9 }],
    })),
  };
}

/** ocrDoneOf's events belong to no run (written before runs existed): their keys are the old layout. */
const run = { videoId: 'v1', runId: '' };

describe('the render handler (in-memory ports)', () => {
  it('renders a segment per batch from the decoded frames, and the batch that completes the set stitches the preview and emits render-done', async () => {
    const store = new InMemoryObjectStore();
    const batches = [];
    for (let b = 0; b < 2; b++) batches.push(await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: b, frameCount: 3 }));
    const processor = createRenderProcessor({ objectStore: store, frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }), config });

    const first = await processor.handle(ocrDoneOf(0, batches[0]!.frames), handlerContext());
    expect(first).toEqual([]);
    expect(store.objects.has(`artifacts/${segmentKey(run, 0)}`)).toBe(true);
    expect(JSON.parse(store.objects.get(`artifacts/${segmentInfoKey(run, 0)}`)!.body.toString())).toMatchObject({ batch_index: 0, detections: 3, texts: 1 });

    const last = await processor.handle(ocrDoneOf(1, batches[1]!.frames), handlerContext());
    expect(last).toHaveLength(1);
    expect(last[0]!.event).toBe('render-done');
    const done = last[0]!.value as RenderDone;
    expect(done.preview_uri).toBe(`s3://artifacts/${previewKey(run)}`);
    expect(done.contact_sheet_uri).toBe(`s3://artifacts/${contactSheetKey(run)}`);
    expect(done.thumbnails).toHaveLength(2);
    for (const uri of [done.preview_uri, done.contact_sheet_uri, ...done.thumbnails.map((t) => t.uri)])
      expect(store.objects.has(uri.slice('s3://'.length))).toBe(true);
  }, 60_000);

  it('serves RENDER only: the runtime skips videos that did not ask for it', () => {
    const store = new InMemoryObjectStore();
    const processor = createRenderProcessor({ objectStore: store, frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }), config });
    expect(processor.stages).toEqual(['RENDER']);
  });
});
