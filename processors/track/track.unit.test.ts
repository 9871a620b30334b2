import { describe, expect, it } from 'vitest';
import type { BatchDetected, BatchTracked } from '../../schemas/index.ts';
import type { RgbImage, TextRecognizer } from '../../schemas/vision.ts';
import { rowsOf } from '../../projections/rows.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { putSyntheticBatch } from '../../storage/synthetic-batches.ts';
import { handlerContext } from '../handler-fixtures.ts';
import { boxAt, syntheticDetectedBatches, syntheticDetections } from './core/synthetic-trajectories.ts';
import { createTrackProcessor } from './index.ts';

/** A recogniser that answers from a script, one answer per crop in call order, and keeps the crops. */
function scriptedRecognizer(answers: { text: string; confidence: number }[]) {
  const crops: RgbImage[] = [];
  const recognizer: TextRecognizer = {
    model: { name: 'fake-recognizer', version: '1' },
    async recognize(images) {
      crops.push(...images);
      return images.map(() => answers.shift() ?? { text: '', confidence: 0 });
    },
    close: async () => {},
  };
  return { recognizer, crops };
}

/** Ports for a video that does not ask for OCR: nothing is read. */
const unread = () => {
  const frameSource = { frames: async () => expect.fail('frames were read for a video without OCR') };
  return { frameSource, recognizer: scriptedRecognizer([]).recognizer };
};

const walker = { id: 'w', className: 'person' as const, at: (i: number) => boxAt(0.1 + 0.01 * i, 0.5, 0.06, 0.18) };
const { frames } = syntheticDetections([walker], 20);
const [first, second] = syntheticDetectedBatches({ videoId: 'v1', runId: 'r1', frames, batchSize: 10 });

describe('the track handler (no ports)', () => {
  it('given a batch-detected, emits its tracklets under an id of video, run, batch, model and tracker version', async () => {
    const processor = createTrackProcessor(unread());
    const [output] = await processor.handle(first!, handlerContext());
    expect(output).toMatchObject({ event: 'batch-tracked', key: 'v1/0' });
    const tracked = output!.value as BatchTracked;
    expect(tracked).toMatchObject({ video_id: 'v1', run_id: 'r1', batch_index: 0, batch_count: 2, model: { name: 'synthetic-detector', version: '1' } });
    expect(tracked.tracklets).toHaveLength(1);
    expect(tracked.tracklets[0]!.points).toHaveLength(10);
    expect(tracked.tracklets[0]!.end_velocity.cx).toBeCloseTo(0.1, 1);
    expect(tracked.number_reader).toBeNull();
    expect(tracked.tracklets[0]).toMatchObject({ number_votes: [], frames_read: 0 });
    const again = await processor.handle(first!, handlerContext());
    expect(again[0]!.value).toEqual(tracked);
    const [other] = await processor.handle(second!, handlerContext());
    expect((other!.value as BatchTracked).event_id).not.toBe(tracked.event_id);
    expect((await processor.handle({ ...first!, run_id: 'r2' }, handlerContext()))[0]!.value.event_id).not.toBe(tracked.event_id);
  });

  it('projects the same rows for the same event twice: one per batch, tracklet and point', async () => {
    const [output] = await createTrackProcessor(unread()).handle(first!, handlerContext());
    const rows = rowsOf('batch-tracked', output!.value as BatchTracked);
    expect(rowsOf('batch-tracked', output!.value as BatchTracked)).toEqual(rows);
    const count = (table: string) => rows.filter((r) => r.table === table).length;
    expect([count('tracked_batches'), count('tracklets'), count('track_points')]).toEqual([1, 1, 10]);
    expect(rows.find((r) => r.table === 'tracklets')!.row).toMatchObject({
      video_id: 'v1',
      run_id: 'r1',
      tracker_version: '1.1.0',
      frames: 10,
      first_frame: 0,
      last_frame: 27,
    });
  });

  it("given a video that asked for OCR, reads its person tracklets' sharpest torso crops and carries their votes, under an id that names the recogniser", async () => {
    const store = new InMemoryObjectStore();
    const { uri, frames: stored } = await putSyntheticBatch(store, {
      bucket: 'artifacts',
      videoId: 'v1',
      batchIndex: 0,
      frameCount: 4,
      width: 320,
      height: 180,
    });
    // A person standing still (60×126 px, torso 36+ px a side) and a ball beside it, in each of the 4 frames.
    const person = { x1: 0.4, y1: 0.1, x2: 0.6, y2: 0.8 };
    const ball = { x1: 0.8, y1: 0.5, x2: 0.83, y2: 0.55 };
    const detected: BatchDetected = {
      ...first!,
      artifact_uri: uri,
      batch_count: 1,
      stages: ['EXTRACT', 'DETECT', 'OCR'],
      frames: stored.map((f) => ({
        frame_index: f.frameIndex,
        timestamp_s: f.timestampS / 10,
        detections: [
          { box: person, class_id: 0, class_name: 'person', score: 0.6 },
          { box: ball, class_id: 32, class_name: 'sports ball', score: 0.6 },
        ],
      })),
    };
    const { recognizer, crops } = scriptedRecognizer([
      { text: '23', confidence: 0.9 },
      { text: '2 3', confidence: 0.7 },
      { text: 'NASA', confidence: 0.99 },
    ]);
    const processor = createTrackProcessor({ frameSource: createFrameSource({ objectStore: store, cacheBatches: 1 }), recognizer });
    const [output] = await processor.handle(detected, handlerContext());
    const tracked = output!.value as BatchTracked;
    expect(crops).toHaveLength(3);
    expect(tracked.number_reader).toEqual({ name: 'fake-recognizer', version: '1' });
    const [people, balls] = [tracked.tracklets.find((t) => t.class_name === 'person')!, tracked.tracklets.find((t) => t.class_name === 'sports ball')!];
    expect(people).toMatchObject({ number_votes: [{ number: '23', confidence_sum: 1.6, frames: 2 }], frames_read: 3 });
    expect(balls).toMatchObject({ number_votes: [], frames_read: 0 });
    const unreadId = (await createTrackProcessor(unread()).handle({ ...detected, stages: ['EXTRACT', 'DETECT'] }, handlerContext()))[0]!.value.event_id;
    expect(unreadId).not.toBe(tracked.event_id);
    const rows = rowsOf('batch-tracked', tracked);
    expect(rows.find((r) => r.table === 'tracklets' && r.row.class_name === 'person')!.row).toMatchObject({
      vote_numbers: ['23'],
      vote_confidence_sums: [1.6],
      vote_frames: [2],
      frames_read: 3,
    });
    expect(rows.find((r) => r.table === 'tracked_batches')!.row).toMatchObject({ number_reader_name: 'fake-recognizer', number_reader_version: '1' });
  });
});
