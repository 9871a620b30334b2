import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDir, generateTypes } from './generate-types.ts';
import { eventSchemas, type EventTypes } from './index.ts';

describe('generated TypeScript types', () => {
  it('are exactly what the Avro schemas generate today (run `npm run schemas:generate` after changing an .avsc)', () => {
    for (const [file, expected] of generateTypes()) {
      expect(readFileSync(join(generatedDir, file), 'utf8'), `schemas/generated/${file}`).toBe(expected);
    }
  });
});

describe('Avro schemas', () => {
  const producer = { name: 'test', version: '1.0.0' };
  const examples: { [K in keyof EventTypes]: EventTypes[K] } = {
    'video-ingested': {
      event_id: 'e1',
      occurred_at: 1_700_000_000_000,
      producer,
      video_id: 'v1',
      run_id: '',
      source_uri: 's3://filmroom-uploads/v1.mp4',
      source_fingerprint: '',
      container: 'VIDEO',
      session_metadata: { map: 'dust2' },
      options: { sample_fps: 1, sample_stride: null, batch_size: 30, stages: ['EXTRACT', 'CHECKS'], detectors: ['objects', 'text'] },
      ingested_at: 1_700_000_000_000,
      uploader: 'cli',
    },
    'batch-extracted': {
      event_id: 'e2',
      occurred_at: 1,
      producer,
      video_id: 'v1',
      run_id: '',
      batch_index: 0,
      batch_count: 2,
      frame_start: 0,
      frame_end: 58,
      frame_indices: [0, 29, 58],
      timestamps_s: [0, 1, 2],
      artifact_uri: 's3://filmroom-artifacts/v1/batch-0000.tar',
      video: { duration_s: 60, fps: 29.97, width: 1920, height: 1080, codec: 'h264', frame_count: null, pix_fmt: '', bit_rate: null },
      source_uri: 's3://filmroom-uploads/v1.mp4',
      session_metadata: {},
      extractor_version: '1.0.0',
      stages: ['EXTRACT', 'DETECT', 'OCR'],
      detectors: ['objects', 'text'],
    },
    'batch-detected': {
      event_id: 'e3',
      occurred_at: 1,
      producer,
      video_id: 'v1',
      run_id: '',
      batch_index: 0,
      batch_count: 2,
      artifact_uri: 's3://a/b',
      frames: [
        { frame_index: 0, timestamp_s: 0, detections: [{ box: { x1: 0.125, y1: 0.25, x2: 0.5, y2: 0.75 }, class_id: 0, class_name: 'text', score: 0.5 }] },
      ],
      model: { name: 'ppocr-det', version: '4' },
      inference_ms: 12.5,
      stages: ['EXTRACT', 'DETECT', 'OCR'],
    },
    'ocr-done': {
      event_id: 'e4',
      occurred_at: 1,
      producer,
      video_id: 'v1',
      run_id: '',
      batch_index: 0,
      batch_count: 2,
      texts: [{ frame_index: 0, box: { x1: 0, y1: 0, x2: 1, y2: 1 }, text: '12:34', confidence: 0.5 }],
      regions_evaluated: 1,
      artifact_uri: '',
      model: { name: 'ppocr-rec', version: '4' },
      stages: ['EXTRACT', 'DETECT', 'OCR'],
      detections: [{ frame_index: 0, timestamp_s: 0, detections: [{ box: { x1: 0, y1: 0, x2: 1, y2: 1 }, class_id: 0, class_name: 'text', score: 0.75 }] }],
    },
    'check-result': {
      event_id: 'e5',
      occurred_at: 1,
      producer,
      video_id: 'v1',
      run_id: '',
      batch_index: 0,
      batch_count: 2,
      check_name: 'dark',
      check_version: 'v1',
      measures: { dark_frames: 3, dark_ratio: 0.1 },
      frames_evaluated: 30,
    },
    'processing-failed': {
      event_id: 'e6',
      occurred_at: 1,
      producer,
      stage: 'extract',
      video_id: null,
      run_id: '',
      batch_index: null,
      error_class: 'PERMANENT',
      error_code: 'MALFORMED_EVENT',
      message: 'bad',
      source: { topic: 't', partition: 0, offset: 42, key: null },
      attempts: 0,
      payload: Buffer.from('x'),
    },
    'replay-requested': {
      event_id: 'e9',
      occurred_at: 1,
      producer,
      replay_id: 'r1',
      check_version: 'v2',
      from_timestamp: null,
      video_prefix: 'game-',
      target_offsets: [{ partition: 0, offset: 12 }],
      requested_by: 'ops',
    },
    'replay-completed': { event_id: 'e10', occurred_at: 1, producer, replay_id: 'r1', check_version: 'v2', batches_replayed: 12, error: null },
    'plays-imported': {
      event_id: 'e11',
      occurred_at: 1,
      producer,
      game_id: 'g1',
      plays: [{ play_id: 'p1', angle: 'LEFT', start_s: 1.5, end_s: 4, play_type: 'pick_and_roll', annotation: 'pick and roll from the left' }],
      rejected_rows: 1,
      importer: 'cli',
    },
    'clips-requested': {
      event_id: 'e12',
      occurred_at: 1,
      producer,
      game_id: 'g1',
      camera: 'FAR_LEFT',
      video_id: 'g1-far-left',
      source_uri: 's3://filmroom-uploads/g1/FAR_LEFT.mp4',
      mode: null,
      clips: [{ clip_id: 'p1_FAR_LEFT', play_id: 'p1', play_angle: 'LEFT', start_s: 1.5, end_s: 4 }],
      plays_event_id: 'e11',
    },
    'clip-extracted': {
      event_id: 'e13',
      occurred_at: 1,
      producer,
      game_id: 'g1',
      clip_id: 'p1_FAR_LEFT',
      play_id: 'p1',
      play_angle: 'LEFT',
      camera: 'FAR_LEFT',
      video_id: 'g1-far-left',
      start_s: 1.5,
      end_s: 4,
      mode: 'REENCODE',
      status: 'OK',
      clip_uri: 's3://filmroom-artifacts/games/g1/clips/p1_FAR_LEFT.mp4',
      bytes: 1234,
      reused: false,
      error_code: null,
      message: null,
    },
    'dataset-exported': {
      event_id: 'e14',
      occurred_at: 1,
      producer,
      game_id: 'g1',
      format: 'VERTEX',
      split: 0.8,
      seed: 42,
      training_uri: 's3://filmroom-exports/games/g1/training_data.jsonl',
      validation_uri: 's3://filmroom-exports/games/g1/validation_data.jsonl',
      training_examples: 32,
      validation_examples: 8,
      training_plays: 16,
      validation_plays: 4,
      failed_clips: 0,
      exporter: 'cli',
    },
    'render-done': {
      event_id: 'e15',
      occurred_at: 1,
      producer,
      video_id: 'v1',
      run_id: '',
      preview_uri: 's3://filmroom-artifacts/videos/v1/render/preview.mp4',
      preview_fps: 2,
      contact_sheet_uri: 's3://filmroom-artifacts/videos/v1/render/contact-sheet.jpg',
      thumbnails: [{ uri: 's3://filmroom-artifacts/videos/v1/render/thumbnail-00.jpg', frame_index: 0, timestamp_s: 0 }],
      frames: 60,
      batches: 2,
      width: 640,
      height: 360,
      detections: 12,
      texts: 3,
    },
    'video-deleted': { event_id: 'e16', occurred_at: 1, producer, video_id: 'v1', requested_by: 'cli', reason: null },
    'video-purged': {
      event_id: 'e17',
      occurred_at: 2,
      producer,
      video_id: 'v1',
      deleted_event_id: 'e16',
      requested_at: 1,
      requested_by: 'cli',
      objects_removed: { 'filmroom-artifacts': 3 },
    },
    'retry-requested': {
      event_id: 'e18',
      occurred_at: 3,
      producer,
      video_id: 'v1',
      run_id: 'r1',
      mode: 'BATCHES',
      work: [{ stage: 'detect', batch_index: 2 }],
      requested_by: 'cli',
    },
    'batch-tracked': {
      event_id: 'e19',
      occurred_at: 1,
      producer,
      video_id: 'v1',
      run_id: 'r1',
      batch_index: 0,
      batch_count: 2,
      model: { name: 'nanodet-m-416', version: '1' },
      tracker_version: '1.1.0',
      number_reader: { name: 'ppocr-rec-v4', version: 'abc' },
      tracklets: [
        {
          tracklet: 0,
          class_id: 0,
          class_name: 'person',
          points: [{ frame_index: 0, timestamp_s: 0, box: { x1: 0.125, y1: 0.25, x2: 0.25, y2: 0.75 }, score: 0.5 }],
          end_velocity: { cx: 0.1, cy: 0, w: 0, h: 0 },
          number_votes: [{ number: '23', confidence_sum: 0.875, frames: 1 }],
          frames_read: 1,
        },
      ],
    },
    'batch-scene-scored': {
      event_id: 'e20',
      occurred_at: 1,
      producer,
      video_id: 'v1',
      run_id: 'r1',
      batch_index: 1,
      batch_count: 2,
      scorer_version: '1.0.0',
      frames: [
        { frame_index: 30, timestamp_s: 1, score: null },
        { frame_index: 33, timestamp_s: 1.1, score: 0.5 },
      ],
      first_histogram: [0.5, 0.5],
      last_histogram: [0.25, 0.75],
    },
    'echo-requested': { event_id: 'e7', occurred_at: 1, producer, request_id: 'r', sequence: 1, behaviour: 'ECHO', payload: Buffer.alloc(3) },
    'echo-emitted': { event_id: 'e8', occurred_at: 1, producer, request_id: 'r', sequence: 1, request_event_id: 'e7', payload_bytes: 3 },
  };

  it.each(Object.keys(examples) as (keyof EventTypes)[])('%s: a value of the generated type is valid Avro and round-trips', (event) => {
    const { type } = eventSchemas[event];
    const value = examples[event];
    expect(type.isValid(value)).toBe(true);
    expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
  });

  it('every event carries event_id, occurred_at (timestamp-millis) and producer, and documents itself', () => {
    for (const schema of Object.values(eventSchemas)) {
      const fields = (schema.expanded as { fields: { name: string; type: unknown }[]; doc?: string }).fields;
      expect(
        fields.slice(0, 3).map((f) => f.name),
        schema.event,
      ).toEqual(['event_id', 'occurred_at', 'producer']);
      expect(fields[1]!.type).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
      expect((schema.expanded as { doc?: string }).doc, schema.event).toBeTruthy();
    }
  });
});
