import type { Config } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import { decodeJpegFrames, type DecodeOutcome } from '../../media/decode-frames.ts';
import type { VideoMetadata } from '../../schemas/index.ts';
import type { Output } from '../../schemas/envelope.ts';
import { batchArtifactKey, batchArtifactPrefix, packBatchArtifact, partialBatchArtifactKey, type ArtifactFrame } from '../../storage/batch-artifact.ts';
import { s3Uri } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { deadLetterEvent } from '../../streams/dead-letter.ts';
import type { HandlerContext } from '../../streams/processor.ts';
import { extractMetrics } from './metrics.ts';
import {
  batchExtractedOf,
  batchFrameIndices,
  extractorVersion,
  firstFrameOfBatch,
  frameTimestamp,
  truncationOf,
  type SamplingPlan,
  type VideoLineage,
} from './plan.ts';
import type { SegmentRange } from './segments.ts';

export type ExtractOutput = 'batch-extracted' | 'processing-failed';

export interface BatchRangeJob {
  /** The decodable source, on local disk. */
  videoPath: string;
  lineage: VideoLineage;
  /** The whole video's plan: batch indices and frame numbers never depend on the range. */
  plan: SamplingPlan;
  range: Pick<SegmentRange, 'batchStart' | 'batchEnd'>;
  video: VideoMetadata;
  sessionMetadata: Record<string, string>;
}

export interface BatchRangeDeps {
  objectStore: ObjectStore;
  config: Pick<Config, 'extract' | 's3'>;
  context: HandlerContext<ExtractOutput>;
}

/**
 * Extracts the batches [batchStart, batchEnd) of a video: stores each as a TAR of JPEGs at its
 * deterministic key and emits its event at once. Batches whose artifact exists are not decoded
 * again (their events are re-emitted, identically); ffmpeg seeks to the first missing one and stops
 * at the range's last frame. The unsegmented path is the range [0, batchCount).
 */
export async function extractBatchRange(job: BatchRangeJob, deps: BatchRangeDeps): Promise<Output<ExtractOutput>[]> {
  const { objectStore, config, context } = deps;
  const { lineage, plan, video } = job;
  const { batchStart, batchEnd } = job.range;
  const { log } = context;
  const artifactsBucket = config.s3.buckets.artifacts;
  const run = { videoId: lineage.video_id, runId: lineage.run_id };
  const eventOf = (batchIndex: number, frameIndices: number[], artifactKey = batchArtifactKey(run.videoId, run.runId, batchIndex)) =>
    batchExtractedOf({
      ingested: lineage,
      plan,
      batchIndex,
      frameIndices,
      artifactUri: s3Uri({ bucket: artifactsBucket, key: artifactKey }),
      video,
      sessionMetadata: job.sessionMetadata,
      occurredAt: context.now(),
    });

  const existing = new Set((await objectStore.list(artifactsBucket, batchArtifactPrefix(run.videoId, run.runId))).keys());
  const exists = (batchIndex: number) => existing.has(batchArtifactKey(run.videoId, run.runId, batchIndex));
  let firstMissing = batchStart;
  while (firstMissing < batchEnd && exists(firstMissing)) firstMissing++;
  log.info({ batches: plan.batchCount, batchStart, batchEnd, stride: plan.stride, resumeAt: firstMissing }, 'extracting');
  // Finished batches are not decoded again; their events are re-emitted (same ids) in case they were lost.
  for (let b = batchStart; b < firstMissing; b++) await context.emit([eventOf(b, batchFrameIndices(plan, b))]);
  extractMetrics.batchesSkipped.inc(firstMissing - batchStart);
  const failed = (error: FilmroomError, batchIndex: number | null): Output<ExtractOutput>[] => [
    {
      event: 'processing-failed',
      key: lineage.video_id,
      value: deadLetterEvent({
        stage: 'extract',
        stageVersion: extractorVersion,
        source: context.source,
        error,
        attempts: context.attempt,
        payload: null,
        identity: { video_id: lineage.video_id, batch_index: batchIndex, run_id: lineage.run_id },
        now: context.now(),
      }),
    },
  ];
  // Every planned frame decoded, but the plan (from the packets there are) may cover less than the container declares:
  // said once, by whoever extracts the video's last batch.
  const shortfall = () => {
    const error = batchEnd === plan.batchCount ? truncationOf({ durationS: video.duration_s, fps: plan.fps }, plan, lineage.source_uri) : undefined;
    if (error) log.warn({ err: error }, 'source shorter than declared');
    // Its batch is the one after the last: every batch of the plan was extracted (the job status counts on it).
    return error ? failed(error, plan.batchCount) : [];
  };
  if (firstMissing === batchEnd) return shortfall();

  const startFrame = firstFrameOfBatch(plan, firstMissing);
  const remaining = Math.min(batchEnd * plan.batchSize, plan.sampledFrames) - firstMissing * plan.batchSize;
  const frames = decodeJpegFrames({
    path: job.videoPath,
    stride: plan.stride,
    startFrame,
    fps: plan.fps,
    // A segment decodes its own frames only; the last one runs to the end (more frames than planned are ignored below).
    maxFrames: batchEnd < plan.batchCount ? remaining : undefined,
    jpegQuality: config.extract.jpegQuality,
    signal: context.signal,
  });
  let batchIndex = firstMissing;
  let expected = batchFrameIndices(plan, batchIndex);
  let current: ArtifactFrame[] = [];
  const completeBatch = async () => {
    // A batch decoding stopped inside goes to a key of its own: a re-run must not take it for finished.
    const partial = current.length < expected.length;
    const key = partial ? partialBatchArtifactKey(run.videoId, run.runId, batchIndex) : batchArtifactKey(run.videoId, run.runId, batchIndex);
    if (!partial && exists(batchIndex)) {
      extractMetrics.batchesSkipped.inc();
    } else {
      const artifact = await packBatchArtifact(lineage.video_id, batchIndex, current);
      await objectStore.put({ bucket: artifactsBucket, key }, artifact, 'application/x-tar');
      extractMetrics.batchesUploaded.inc();
    }
    await context.emit([
      eventOf(
        batchIndex,
        current.map((f) => f.frameIndex),
        key,
      ),
    ]);
    batchIndex++;
    expected = batchFrameIndices(plan, batchIndex);
    current = [];
  };

  let decoded = 0;
  let outcome: DecodeOutcome = { framesOut: 0, exitCode: null, stderrTail: '' };
  while (batchIndex < batchEnd) {
    const next = await frames.next();
    if (next.done) {
      outcome = next.value;
      break;
    }
    const frameIndex = expected[current.length]!;
    current.push({ frameIndex, timestampS: frameTimestamp(plan, frameIndex), jpeg: next.value });
    decoded++;
    extractMetrics.framesDecoded.inc();
    if (current.length === expected.length) await completeBatch();
  }
  if (batchIndex >= batchEnd) {
    // More frames than the container announced are ignored: the plan, made before decoding, wins.
    await frames.return(outcome);
    return shortfall();
  }

  // Decoding ended early (truncated or corrupt source): keep what decoded, then say where it stopped.
  if (current.length > 0) await completeBatch();
  const lastFrame = startFrame + (decoded - 1) * plan.stride;
  const where = decoded === 0 ? 'before the first sampled frame' : `after source frame ${lastFrame} (t=${frameTimestamp(plan, lastFrame).toFixed(3)} s)`;
  const error = new FilmroomError(
    'DECODE_FAILED',
    `decoding ${lineage.source_uri} stopped ${where}: ${decoded} of ${remaining} remaining sampled frames extracted, ` +
      `${batchIndex} of ${plan.batchCount} batches complete; ffmpeg exit ${outcome.exitCode}${outcome.stderrTail ? `: ${outcome.stderrTail}` : ''}`,
    { context: { video_id: lineage.video_id } },
  );
  log.warn({ err: error }, 'partial extraction');
  return failed(error, batchIndex);
}
