import { videoIngestedOf } from '../processors/ingest/video-ingested.ts';
import type { AnyEventName, BatchExtracted, CheckResult, ProcessingFailed } from '../schemas/index.ts';
import { batchKey, deterministicEventId, runParts, type Output } from '../schemas/envelope.ts';

/**
 * Synthetic pipeline events of many videos for `bench --only api`: what the processors would have
 * published, without running them. Every video is ingested (EXTRACT + CHECKS, 3 batches); most are
 * extracted and checked in full, every fourth has one batch still to come (extracting), every
 * twentieth failed its extraction part-way — so the read model answers a mix of states.
 */
const producer = { name: 'bench', version: '0' };
const stages: ['EXTRACT', 'CHECKS'] = ['EXTRACT', 'CHECKS'];
const batchCount = 3;
const checkNames = ['dark', 'letterbox', 'menu', 'frozen', 'blur'];
const video = { duration_s: 9, fps: 30, width: 640, height: 360, codec: 'h264', frame_count: 270, pix_fmt: 'yuv420p', bit_rate: 1_500_000 };

export const benchVideoId = (i: number) => `bench-api-${String(i).padStart(5, '0')}`;

function batchExtracted(videoId: string, runId: string, index: number, at: number): Output<'batch-extracted'> {
  const frames = Array.from({ length: 30 }, (_, i) => (index * 30 + i) * 10);
  const value: BatchExtracted = {
    event_id: deterministicEventId('batch-extracted', videoId, ...runParts(runId), index, 'bench'),
    occurred_at: at,
    producer,
    video_id: videoId,
    run_id: runId,
    batch_index: index,
    batch_count: batchCount,
    frame_start: frames[0]!,
    frame_end: frames.at(-1)!,
    frame_indices: frames,
    timestamps_s: frames.map((f) => f / 30),
    artifact_uri: `s3://filmroom-artifacts/bench-api/${videoId}/${index}.tar`,
    video,
    source_uri: `s3://filmroom-uploads/bench-api/${videoId}.mp4`,
    session_metadata: {},
    extractor_version: 'bench',
    stages,
    detectors: [],
    transform: '',
  };
  return { event: 'batch-extracted', key: batchKey(videoId, index), value };
}

function checkResult(videoId: string, runId: string, index: number, name: string, at: number): Output<'check-result'> {
  const value: CheckResult = {
    event_id: deterministicEventId('check-result', videoId, ...runParts(runId), index, name, 'v1'),
    occurred_at: at,
    producer,
    video_id: videoId,
    run_id: runId,
    batch_index: index,
    batch_count: batchCount,
    check_name: name,
    check_version: 'v1',
    measures: { frames: 30, ratio: (index % 3) / 3 },
    frames_evaluated: 30,
  };
  return { event: 'check-result', key: batchKey(videoId, index), value };
}

function extractionFailed(videoId: string, runId: string, i: number, at: number): Output<'processing-failed'> {
  const value: ProcessingFailed = {
    event_id: deterministicEventId('processing-failed', 'extract', 'bench-api', 0, i),
    occurred_at: at,
    producer,
    stage: 'extract',
    video_id: videoId,
    run_id: runId,
    batch_index: null,
    error_class: 'PERMANENT',
    error_code: 'DECODE_FAILED',
    message: 'bench: truncated source',
    source: { topic: 'bench-api', partition: 0, offset: i, key: videoId },
    attempts: 1,
    payload: null,
  };
  return { event: 'processing-failed', key: videoId, value };
}

/** The events of video `i` (ingested at `at` ms), in the order the pipeline would publish them. */
export function syntheticVideoEvents(i: number, at: number): Output<AnyEventName>[] {
  const videoId = benchVideoId(i);
  const ingested = videoIngestedOf({
    videoId,
    sourceUri: `s3://filmroom-uploads/bench-api/${videoId}.mp4`,
    sourceFingerprint: `bench-${i}`,
    options: { batch_size: 30, stages },
    uploader: 'bench',
    producer,
    now: at,
  });
  const runId = ingested.value.run_id;
  const failed = i % 20 === 7;
  const extracted = failed ? 1 : i % 4 === 1 ? batchCount - 1 : batchCount;
  const events: Output<AnyEventName>[] = [ingested];
  for (let b = 0; b < extracted; b++) {
    events.push(batchExtracted(videoId, runId, b, at + 1000 * (b + 1)));
    for (const name of checkNames) events.push(checkResult(videoId, runId, b, name, at + 1000 * (b + 1) + 200));
  }
  if (failed) events.push(extractionFailed(videoId, runId, i, at + 5000));
  return events;
}
