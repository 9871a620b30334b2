import { describe, expect, it } from 'vitest';
import type { BatchDetected, BatchExtracted, ProcessingFailed, VideoIngested } from '../schemas/index.ts';
import { rowsByTable, type DecodedEvent } from './rows.ts';

const producer = { name: 'test', version: '0' };
const video = { duration_s: 40, fps: 30, width: 640, height: 360, codec: 'h264', frame_count: 1200, pix_fmt: 'yuv420p', bit_rate: 1_500_000 };

const ingested: VideoIngested = {
  event_id: 'ing-1',
  occurred_at: 1_700_000_000_000,
  producer,
  video_id: '2024/01/game-7',
  source_uri: 's3://game-data/2024/01/game-7.tar',
  container: 'TAR_BUNDLE',
  session_metadata: { uploader_note: 'x' },
  options: { sample_fps: null, sample_stride: 30, batch_size: 10, stages: ['EXTRACT', 'CHECKS'], detectors: ['objects', 'text'] },
  uploader: 'ops',
  ingested_at: 1_700_000_000_000,
} as unknown as VideoIngested;

const batch = (index: number): BatchExtracted => ({
  event_id: `b-${index}`,
  occurred_at: 1_700_000_100_000 + index,
  producer,
  video_id: '2024/01/game-7',
  run_id: '',
  batch_index: index,
  batch_count: 2,
  frame_start: index * 300,
  frame_end: index * 300 + 270,
  frame_indices: [index * 300],
  timestamps_s: [index * 10],
  artifact_uri: `s3://filmroom-artifacts/x/${index}`,
  video,
  source_uri: ingested.source_uri,
  session_metadata: { 'match.map': 'dust2', uploader_note: 'x' },
  extractor_version: 'e1',
  stages: ['EXTRACT', 'CHECKS'],
  detectors: ['objects', 'text'],
  transform: '',
});

const failed: ProcessingFailed = {
  event_id: 'f-1',
  occurred_at: 1_700_000_200_000,
  producer,
  stage: 'extract',
  video_id: '2024/01/game-7',
  batch_index: null,
  error_class: 'permanent',
  error_code: 'DECODE_FAILED',
  message: 'decoding stopped',
  source: { topic: 't', partition: 0, offset: 7, key: null },
  attempts: 1,
} as unknown as ProcessingFailed;

const events: DecodedEvent[] = [
  { event: 'video-ingested', value: ingested },
  { event: 'batch-extracted', value: batch(0) },
  { event: 'batch-extracted', value: batch(1) },
  { event: 'processing-failed', value: failed },
];

/** Rows per table, each table's rows sorted: what ReplacingMergeTree keeps does not depend on arrival order. */
const sortedRows = (records: DecodedEvent[]): Record<string, string[]> =>
  Object.fromEntries([...rowsByTable(records)].map(([table, rows]) => [table, rows.map((r) => JSON.stringify(r)).sort()]).sort());

describe('row builders', () => {
  it('give the same rows for the same events, twice or in another order (redelivery and replay write the same keys)', () => {
    const once = sortedRows(events);
    expect(sortedRows(events)).toEqual(once);
    expect(sortedRows([...events].reverse())).toEqual(once);
    const unique = (rows: string[]) => [...new Set(rows)];
    expect(Object.fromEntries(Object.entries(sortedRows([...events, ...events])).map(([t, rows]) => [t, unique(rows)]))).toEqual(once);
  });

  it("write a batch's video and session metadata per video, for the manifests", () => {
    const extracted = rowsByTable(events).get('extracted_videos')!;
    expect(extracted).toHaveLength(2);
    expect(extracted[1]).toMatchObject({
      video_id: '2024/01/game-7',
      batch_count: 2,
      codec: 'h264',
      pix_fmt: 'yuv420p',
      bit_rate: 1_500_000,
      frame_count: 1200,
      session_keys: ['match.map', 'uploader_note'],
      session_values: ['dust2', 'x'],
      version: 1_700_000_100_001,
    });
  });

  it("write a frame's face detections to faces too, numbered per frame, and its other detections only to detections", () => {
    const box = (x: number) => ({ x1: x, y1: 0.1, x2: x + 0.1, y2: 0.3 });
    const detected = {
      ...batch(0),
      event_id: 'd-0',
      model: { name: 'nanodet-416+blazeface-256', version: 'a+b' },
      inference_ms: 12,
      frames: [
        {
          frame_index: 0,
          timestamp_s: 0,
          detections: [
            { box: box(0.1), class_id: 0, class_name: 'person', score: 0.8 },
            { box: box(0.2), class_id: 0, class_name: 'face', score: 0.9 },
            { box: box(0.5), class_id: 0, class_name: 'face', score: 0.6 },
          ],
        },
      ],
    } as unknown as BatchDetected;
    const tables = rowsByTable([{ event: 'batch-detected', value: detected }]);
    expect(tables.get('detections')).toHaveLength(3);
    expect(tables.get('faces')).toEqual([
      expect.objectContaining({ frame_index: 0, face_index: 0, x1: 0.2, score: 0.9, model_name: 'nanodet-416+blazeface-256', event_id: 'd-0' }),
      expect.objectContaining({ frame_index: 0, face_index: 1, x1: 0.5, score: 0.6 }),
    ]);
  });
});
