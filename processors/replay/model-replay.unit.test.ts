import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { detectorSettingsTag, parseModelSpec } from '../../common/model-versions.ts';
import { rowsOf } from '../../projections/rows.ts';
import type { BatchDetected, OcrDone } from '../../schemas/index.ts';
import type { Detection, Detector } from '../../schemas/vision.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch } from '../../storage/synthetic-batches.ts';
import { servesEvent } from '../../streams/processor.ts';
import { createDetectProcessor } from '../detect/index.ts';
import { batchExtractedOf, handlerContext } from '../handler-fixtures.ts';
import { createOcrProcessor } from '../ocr/index.ts';
import { planModelReplay, replayGroupOf, replayInputOf, replayRequestedOf } from './index.ts';

const config = loadConfig({});

/** A detector answering one box per frame, named and versioned as given. */
const fakeDetector = (name: string, version: string, className: string): Detector => ({
  model: { name, version },
  detect: async (images) => images.map((): Detection[] => [{ box: { x1: 0.25, y1: 0, x2: 0.75, y2: 0.125 }, classId: 0, className, score: 0.9 }]),
  close: async () => {},
});

describe('model versions and replay requests', () => {
  it('parses NAME[@VERSION]: settings alone, or led by the weights digest; a bad token names the field', () => {
    expect(parseModelSpec('nanodet-416')).toEqual({ name: 'nanodet-416', settings: {} });
    expect(parseModelSpec('nanodet-416@s0.5-n0.3')).toEqual({ name: 'nanodet-416', settings: { s: 0.5, n: 0.3 } });
    expect(parseModelSpec('ppocr-det-v4@0123456789ab-i640')).toEqual({ name: 'ppocr-det-v4', digest: '0123456789ab', settings: { i: 640 } });
    expect(() => parseModelSpec('nanodet-416@x9', '--model')).toThrow("--model: 'x9' in 'nanodet-416@x9' is not a setting");
    expect(() => parseModelSpec('nanodet-416@s1.5', 'body/model')).toThrow('body/model: s1.5 is out of range');
    expect(() => parseModelSpec('ppocr-det-v4@i650')).toThrow('a multiple of 32');
  });

  it('names a detector version by its settings, and plans a replay over the configured models', () => {
    expect(detectorSettingsTag(config.detect)).toBe('i416-s0.35-n0.45');
    expect(detectorSettingsTag(config.textDetect)).toBe('i960-s0.6');
    const objects = planModelReplay('detect', 'nanodet-416@s0.5', config);
    expect(objects).toMatchObject({ stage: 'detect', kind: 'objects', detect: { modelName: 'nanodet-416', scoreThreshold: 0.5, nmsIou: 0.45 } });
    expect(planModelReplay('detect', 'ppocr-det-v4@i640', config)).toMatchObject({ kind: 'text', detect: { inputSize: 640, scoreThreshold: 0.6 } });
    expect(planModelReplay('ocr', 'ppocr-rec-v4@c0.8', config)).toMatchObject({ stage: 'ocr', ocr: { minConfidence: 0.8 } });
  });

  it('refuses unknown models, settings the family cannot change and the version the pipeline runs, naming the field', () => {
    expect(() => planModelReplay('detect', 'yolo-x@s0.5', config, 'body/model')).toThrow(
      "body/model: unknown detect model 'yolo-x': known models are nanodet-416, ppocr-det-v4",
    );
    expect(() => planModelReplay('detect', 'nanodet-416@i320', config)).toThrow('nanodet-416 (a nanodet model) takes s, n settings, not i');
    expect(() => planModelReplay('detect', 'nanodet-416', config)).toThrow('nanodet-416@i416-s0.35-n0.45 is the version the pipeline runs');
    expect(() => planModelReplay('detect', 'nanodet-416@s0.35', config)).toThrow('is the version the pipeline runs');
    expect(() => planModelReplay('ocr', 'ppocr-rec-v4@s0.5', config)).toThrow('takes c settings, not s');
    expect(() => planModelReplay('ocr', 'nanodet-416@c0.5', config)).toThrow("unknown ocr model 'nanodet-416'");
  });

  it('builds detect and ocr replay requests whose groups and input topics are their own', () => {
    const base = {
      replayId: 'r1',
      fromTimestamp: null,
      videoPrefix: 'game-',
      targetOffsets: [],
      requestedBy: 'op',
      producer: { name: 't', version: '0' },
      now: 1,
    };
    const detect = replayRequestedOf({ ...base, stage: 'detect', model: 'nanodet-416@s0.5', models: config }).value;
    expect(detect).toMatchObject({ stage: 'detect', model: 'nanodet-416@s0.5', check_version: '' });
    expect(replayGroupOf(detect, 'p.')).toBe('p.filmroom.detect.replay-r1');
    expect(replayInputOf('detect')).toBe('batch-extracted');
    expect(replayInputOf('ocr')).toBe('batch-detected');
    const checks = replayRequestedOf({ ...base, checkVersion: 'v2' }).value;
    expect(checks).toMatchObject({ stage: 'checks', model: null });
    expect(replayGroupOf(checks, '')).toBe('filmroom.checks.v2.replay-r1');
    expect(() => replayRequestedOf({ ...base, stage: 'ocr', models: config }, { checkVersion: 'check_version', model: 'body/model' })).toThrow(
      'body/model is required to replay ocr',
    );
  });
});

describe('detect and ocr replays (in-memory ports)', () => {
  it('a detect replay marks its batch-detected with the replay id and the new version, skips other videos and videos without the kind; no stage consumes it and the job status leaves it out', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'game-1', batchIndex: 0, frameCount: 3 });
    const processor = createDetectProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 0 }),
      detectors: { objects: fakeDetector('nanodet-416', 'abc-s0.5', 'person'), text: fakeDetector('ppocr-det-v4', 'def', 'text') },
      config: { maxBatch: 4 },
      replay: { replayId: 'r1', videoPrefix: 'game-', kind: 'objects' },
    });
    expect(processor.groupSuffix).toBe('replay-r1');
    const batch = (videoId: string, detectors?: ('objects' | 'text')[]) =>
      batchExtractedOf({ videoId, batchIndex: 0, batchCount: 1, artifactUri: uri, frames, stages: ['EXTRACT', 'DETECT'], ...(detectors ? { detectors } : {}) });
    const [output] = await processor.handle(batch('game-1'), handlerContext());
    const detected = output!.value as BatchDetected;
    expect(detected).toMatchObject({ replay_id: 'r1', model: { name: 'nanodet-416+ppocr-det-v4', version: 'abc-s0.5+def' } });
    expect(detected.frames).toHaveLength(3);
    expect(await processor.handle(batch('other-1'), handlerContext())).toEqual([]);
    expect(await processor.handle(batch('game-1', ['text']), handlerContext())).toEqual([]);
    // Downstream stages (ocr, track) skip it, whatever their stages.
    expect(servesEvent({}, detected)).toBe(false);
    expect(servesEvent({}, { ...detected, replay_id: null })).toBe(true);
    const rows = rowsOf('batch-detected', detected);
    expect(rows.find((r) => r.table === 'detected_batches')!.row).toMatchObject({ replay_id: 'r1', model_version: 'abc-s0.5+def' });
  });

  it('an ocr replay reads the pipeline detections of videos that asked for OCR, with its cut-off in the version', async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames } = await putSyntheticBatch(store, { bucket: 'artifacts', videoId: 'v1', batchIndex: 0, frameCount: 2 });
    const detect = createDetectProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 0 }),
      detectors: { text: fakeDetector('ppocr-det-v4', 'def', 'text') },
      config: { maxBatch: 4 },
    });
    const extracted = batchExtractedOf({ videoId: 'v1', batchIndex: 0, batchCount: 1, artifactUri: uri, frames, stages: ['EXTRACT', 'DETECT', 'OCR'] });
    const detected = (await detect.handle(extracted, handlerContext()))[0]!.value as BatchDetected;
    expect(detected.replay_id).toBeNull();
    const recognizer = {
      model: { name: 'ppocr-rec-v4', version: 'fed' },
      recognize: async (crops: unknown[]) => crops.map(() => ({ text: 'LIONS', confidence: 0.7 })),
      close: async () => {},
    };
    const ocr = createOcrProcessor({
      frameSource: createFrameSource({ objectStore: store, cacheBatches: 0 }),
      recognizer,
      config: { classes: ['text'], minConfidence: 0.8 },
      replay: { replayId: 'r2', videoPrefix: null },
    });
    const done = (await ocr.handle(detected, handlerContext()))[0]!.value as OcrDone;
    expect(done).toMatchObject({ replay_id: 'r2', model: { name: 'ppocr-rec-v4', version: 'fed-c0.8' }, regions_evaluated: 2, texts: [] });
    expect(await ocr.handle({ ...detected, stages: ['EXTRACT', 'DETECT'] }, handlerContext())).toEqual([]);
    expect(rowsOf('ocr-done', done).find((r) => r.table === 'ocr_batches')!.row).toMatchObject({ replay_id: 'r2', model_version: 'fed-c0.8' });
  });
});
