import { describe, expect, it } from 'vitest';
import type { BatchDetected, OcrDone } from '../../schemas/index.ts';
import type { RgbImage, TextRecognizer } from '../../schemas/vision.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch } from '../../storage/synthetic-batches.ts';
import { handlerContext } from '../handler-fixtures.ts';
import { createOcrProcessor } from './index.ts';

function recordingRecognizer() {
  const crops: RgbImage[] = [];
  const recognizer: TextRecognizer = {
    model: { name: 'fake-recognizer', version: '1' },
    async recognize(images) {
      crops.push(...images);
      return images.map((_, i) => ({ text: i === 0 ? ' LIONS 21 ' : 'faint', confidence: i === 0 ? 0.95 : 0.2 }));
    },
    close: async () => {},
  };
  return { recognizer, crops };
}

const box = { x1: 0.25, y1: 0, x2: 0.75, y2: 0.25 };

function detectedOf(uri: string, frames: { frameIndex: number; timestampS: number }[], stages: BatchDetected['stages']): BatchDetected {
  return {
    event_id: 'detected-1',
    occurred_at: 1,
    producer: { name: 'detect', version: 'test' },
    video_id: 'v1',
    run_id: '',
    batch_index: 0,
    batch_count: 1,
    artifact_uri: uri,
    frames: frames.map((f, i) => ({
      frame_index: f.frameIndex,
      timestamp_s: f.timestampS,
      detections: i === 1 ? [] : [{ box, class_id: 0, class_name: 'text', score: 0.9 }],
    })),
    model: { name: 'fake-detector', version: '1' },
    inference_ms: 1,
    replay_id: null,
    stages,
  };
}

describe('the ocr handler (in-memory ports)', () => {
  it('given detections of the read classes, crops them from the decoded frames and emits the confident texts', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: 0, frameCount: 3 });
    const { recognizer, crops } = recordingRecognizer();
    const processor = createOcrProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }),
      recognizer,
      config: { classes: ['text'], minConfidence: 0.5 },
    });

    const outputs = await processor.handle(detectedOf(uri, frames, ['DETECT', 'OCR']), handlerContext());

    expect(crops).toHaveLength(2);
    expect(crops[0]).toMatchObject({ width: 32, height: 9 });
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.event).toBe('ocr-done');
    const done = outputs[0]!.value as OcrDone;
    expect(done.regions_evaluated).toBe(2);
    expect(done.texts).toEqual([{ frame_index: frames[0]!.frameIndex, box, text: 'LIONS 21', confidence: 0.95 }]);
  });

  it('given a video that did not ask for OCR, reads no frames and emits an ocr-done without texts', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: 0, frameCount: 2 });
    const processor = createOcrProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }),
      recognizer: recordingRecognizer().recognizer,
      config: { classes: ['text'], minConfidence: 0.5 },
    });

    const outputs = await processor.handle(detectedOf(uri, frames, ['DETECT']), handlerContext());

    expect(store.requests.get).toBe(0);
    expect((outputs[0]!.value as OcrDone).texts).toEqual([]);
  });
});
