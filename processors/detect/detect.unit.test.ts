import { describe, expect, it } from 'vitest';
import type { BatchDetected } from '../../schemas/index.ts';
import type { Detection, Detector, RgbImage } from '../../schemas/vision.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch } from '../../storage/synthetic-batches.ts';
import { batchExtractedOf, handlerContext } from '../handler-fixtures.ts';
import { createDetectProcessor } from './index.ts';

/** Finds one `className` region in the top band of every frame, and remembers the images and call sizes it was given. */
function recordingDetector(className = 'text', name = 'fake-detector') {
  const calls: RgbImage[][] = [];
  const detector: Detector = {
    model: { name, version: '1' },
    async detect(images) {
      calls.push(images);
      return images.map((): Detection[] => [{ box: { x1: 0.25, y1: 0, x2: 0.75, y2: 0.125 }, classId: 0, className, score: 0.9 }]);
    },
    close: async () => {},
  };
  return { detector, calls };
}

describe('the detect handler (in-memory ports)', () => {
  it('given a stored batch of 5 frames, runs the detector over the decoded frames in calls of maxBatch and emits one batch-detected', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: 0, frameCount: 5 });
    const { detector, calls } = recordingDetector();
    const processor = createDetectProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }),
      detectors: { text: detector },
      config: { maxBatch: 2 },
    });
    const batch = batchExtractedOf({ videoId: 'v1', batchIndex: 0, batchCount: 1, artifactUri: uri, frames, stages: ['EXTRACT', 'DETECT'] });

    const outputs = await processor.handle(batch, handlerContext());

    expect(calls.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(calls[0]![0]).toMatchObject({ width: 64, height: 36 });
    expect(outputs).toHaveLength(1);
    const detected = outputs[0]!.value as BatchDetected;
    expect(outputs[0]!.event).toBe('batch-detected');
    expect(detected).toMatchObject({ video_id: 'v1', batch_index: 0, batch_count: 1, artifact_uri: uri, model: { name: 'fake-detector', version: '1' } });
    expect(detected.frames.map((f) => f.frame_index)).toEqual(frames.map((f) => f.frameIndex));
    expect(detected.frames.every((f) => f.detections.length === 1 && f.detections[0]!.class_name === 'text')).toBe(true);
  });

  it('runs the detectors the ingestion asked for (default both), lists objects before text and names both models', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v2', batchIndex: 0, frameCount: 3 });
    const objects = recordingDetector('person', 'nanodet-416');
    const text = recordingDetector('text', 'ppocr-det-v4');
    const processor = createDetectProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }),
      detectors: { text: text.detector, objects: objects.detector },
      config: { maxBatch: 2 },
    });
    const ask = (detectors?: ('objects' | 'text')[]) =>
      processor.handle(
        batchExtractedOf({ videoId: 'v2', batchIndex: 0, batchCount: 1, artifactUri: uri, frames, stages: ['EXTRACT', 'DETECT', 'OCR'], detectors }),
        handlerContext(),
      );

    const both = (await ask())[0]!.value as BatchDetected;
    expect(both.model).toEqual({ name: 'nanodet-416+ppocr-det-v4', version: '1+1' });
    expect(both.frames.map((f) => f.detections.map((d) => d.class_name))).toEqual([
      ['person', 'text'],
      ['person', 'text'],
      ['person', 'text'],
    ]);

    const onlyText = (await ask(['text']))[0]!.value as BatchDetected;
    expect(onlyText.model).toEqual({ name: 'ppocr-det-v4', version: '1' });
    expect(onlyText.frames.every((f) => f.detections.length === 1 && f.detections[0]!.class_name === 'text')).toBe(true);
    expect(objects.calls).toHaveLength(2); // the first ask only: two calls of maxBatch 2
  });

  it('runs the faces detector only for an ingestion that asks for it, its faces listed after objects and text', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v3', batchIndex: 0, frameCount: 2 });
    const [objects, text, faces] = [
      recordingDetector('person', 'nanodet-416'),
      recordingDetector('text', 'ppocr-det-v4'),
      recordingDetector('face', 'blazeface-256'),
    ];
    const processor = createDetectProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }),
      detectors: { faces: faces.detector, text: text.detector, objects: objects.detector },
      config: { maxBatch: 2 },
    });
    const ask = async (detectors?: ('objects' | 'text' | 'faces')[]) =>
      (
        await processor.handle(
          batchExtractedOf({ videoId: 'v3', batchIndex: 0, batchCount: 1, artifactUri: uri, frames, stages: ['EXTRACT', 'DETECT'], detectors }),
          handlerContext(),
        )
      )[0]!.value as BatchDetected;

    expect((await ask()).model.name).toBe('nanodet-416+ppocr-det-v4');
    expect(faces.calls).toHaveLength(0);
    const all = await ask(['faces', 'objects', 'text']);
    expect(all.model).toEqual({ name: 'nanodet-416+ppocr-det-v4+blazeface-256', version: '1+1+1' });
    expect(all.frames[0]!.detections.map((d) => d.class_name)).toEqual(['person', 'text', 'face']);
    expect((await ask(['faces'])).model.name).toBe('blazeface-256');
  });

  it('serves DETECT, and OCR and RENDER which need detections: the runtime skips videos that asked for none of them', () => {
    const processor = createDetectProcessor({
      frameSource: createFrameSource({ objectStore: new InMemoryObjectStore(), cacheBatches: 4 }),
      detectors: { text: recordingDetector().detector },
      config: { maxBatch: 2 },
    });
    expect(processor.stages).toEqual(['DETECT', 'OCR', 'RENDER']);
  });

  it('given a corrupt artifact, fails with a permanent error naming it', async () => {
    const store = new InMemoryObjectStore();
    await store.put({ bucket: 'artifacts', key: 'videos/v3/batches/batch-00000.tar' }, Buffer.from('garbage'.repeat(100)), 'application/x-tar');
    const uri = 's3://artifacts/videos/v3/batches/batch-00000.tar';
    const processor = createDetectProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 4 }),
      detectors: { text: recordingDetector().detector },
      config: { maxBatch: 2 },
    });
    const batch = batchExtractedOf({
      videoId: 'v3',
      batchIndex: 0,
      batchCount: 1,
      artifactUri: uri,
      frames: [{ frameIndex: 0, timestampS: 0 }],
      stages: ['DETECT'],
    });

    await expect(processor.handle(batch, handlerContext())).rejects.toMatchObject({
      code: 'MALFORMED_EVENT',
      retriable: false,
      message: expect.stringContaining(uri),
    });
  });
});
