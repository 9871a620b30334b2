import { createLogger } from '../common/logger.ts';
import type { AnyEventName, BatchExtracted, DetectorKind, Stage } from '../schemas/index.ts';
import type { Output } from '../schemas/envelope.ts';
import type { HandlerContext } from '../streams/processor.ts';

/**
 * Builders for the handlers' unit tests: a handler context that keeps what is emitted early, and
 * the batch-extracted event of a stored batch. No Kafka: the tests call `handle` directly.
 */

export function handlerContext<O extends AnyEventName>(): HandlerContext<O> & { emitted: Output<O>[] } {
  const emitted: Output<O>[] = [];
  return {
    signal: new AbortController().signal,
    source: { topic: 'test', partition: 0, offset: '0', key: null },
    attempt: 1,
    log: createLogger('silent'),
    now: () => 1_700_000_000_000,
    emit: async (outputs) => void emitted.push(...outputs),
    emitted,
  };
}

export function batchExtractedOf(input: {
  videoId: string;
  batchIndex: number;
  batchCount: number;
  artifactUri: string;
  frames: readonly { frameIndex: number; timestampS: number }[];
  stages: Stage[];
  detectors?: DetectorKind[];
  transform?: string;
}): BatchExtracted {
  const indices = input.frames.map((f) => f.frameIndex);
  return {
    event_id: `batch-${input.videoId}-${input.batchIndex}`,
    occurred_at: 1,
    producer: { name: 'extract', version: 'test' },
    video_id: input.videoId,
    run_id: '',
    batch_index: input.batchIndex,
    batch_count: input.batchCount,
    frame_start: Math.min(...indices),
    frame_end: Math.max(...indices),
    frame_indices: indices,
    timestamps_s: input.frames.map((f) => f.timestampS),
    artifact_uri: input.artifactUri,
    video: { duration_s: 60, fps: 30, width: 64, height: 36, codec: 'h264', frame_count: 1800, pix_fmt: 'yuv420p', bit_rate: null },
    source_uri: `s3://uploads/${input.videoId}.mp4`,
    session_metadata: {},
    extractor_version: 'test',
    stages: input.stages,
    detectors: input.detectors ?? ['objects', 'text'],
    transform: input.transform ?? '',
  };
}
