import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import { decodeJpegFrames, type DecodeOutcome } from '../../media/decode-frames.ts';
import { probeVideo } from '../../media/ffprobe.ts';
import type { VideoIngested } from '../../schemas/index.ts';
import { batchArtifactKey, batchArtifactPrefix, packBatchArtifact, partialBatchArtifactKey, type ArtifactFrame } from '../../storage/batch-artifact.ts';
import { s3Uri } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { deadLetterEvent } from '../../streams/dead-letter.ts';
import { defineProcessor, type HandlerContext } from '../../streams/processor.ts';
import type { Output } from '../../schemas/envelope.ts';
import { extractMetrics } from './metrics.ts';
import {
  batchExtractedOf,
  batchFrameIndices,
  extractorVersion,
  firstFrameOfBatch,
  frameTimestamp,
  mergeSessionMetadata,
  planSampling,
  truncationOf,
  videoMetadataOf,
} from './plan.ts';
import { localSource } from './source.ts';
import { unpackBundle } from './tar-bundle.ts';

export { extractorVersion } from './plan.ts';

export interface ExtractPorts {
  objectStore: ObjectStore;
  config: Pick<Config, 'extract' | 's3'>;
}

type ExtractOutput = 'batch-extracted' | 'processing-failed';

/**
 * The extract stage: video-ingested → batch-extracted (one per batch of sampled frames). Downloads
 * the source once, probes it, decodes it with one ffmpeg process, stores each batch as a TAR of
 * JPEGs at a deterministic key and emits its event at once. Re-running on the same video skips
 * every batch whose artifact exists (its event is re-emitted, identically) and starts ffmpeg at
 * the first missing one.
 */
export function createExtractProcessor(ports: ExtractPorts) {
  const { objectStore, config } = ports;
  const artifactsBucket = config.s3.buckets.artifacts;

  async function extractVideo(ingested: VideoIngested, context: HandlerContext<ExtractOutput>, tmp: string): Promise<Output<ExtractOutput>[]> {
    const { log } = context;
    const source = await localSource(ingested.source_uri, tmp, objectStore);
    if (source.downloaded) extractMetrics.sourceDownloads.inc();
    let videoPath = source.path;
    let bundleMetadata: unknown = {};
    if (ingested.container === 'TAR_BUNDLE') {
      const bundle = await unpackBundle(source.path, join(tmp, 'bundle'), { maxTotalBytes: config.extract.maxBundleBytes, maxEntries: 1000 });
      videoPath = bundle.videoPath;
      bundleMetadata = bundle.metadata;
    }
    const probe = await probeVideo(videoPath, ingested.source_uri);
    const plan = planSampling(probe, ingested.options);
    const video = videoMetadataOf(probe);
    const sessionMetadata = mergeSessionMetadata(ingested.session_metadata, bundleMetadata);
    const run = { videoId: ingested.video_id, runId: ingested.run_id };
    const eventOf = (batchIndex: number, frameIndices: number[], artifactKey = batchArtifactKey(run.videoId, run.runId, batchIndex)) =>
      batchExtractedOf({
        ingested,
        plan,
        batchIndex,
        frameIndices,
        artifactUri: s3Uri({ bucket: artifactsBucket, key: artifactKey }),
        video,
        sessionMetadata,
        occurredAt: context.now(),
      });

    const existing = new Set((await objectStore.list(artifactsBucket, batchArtifactPrefix(run.videoId, run.runId))).keys());
    const exists = (batchIndex: number) => existing.has(batchArtifactKey(run.videoId, run.runId, batchIndex));
    let firstMissing = 0;
    while (firstMissing < plan.batchCount && exists(firstMissing)) firstMissing++;
    log.info({ batches: plan.batchCount, stride: plan.stride, resumeAt: firstMissing }, 'extracting');
    // Finished batches are not decoded again; their events are re-emitted (same ids) in case they were lost.
    for (let b = 0; b < firstMissing; b++) await context.emit([eventOf(b, batchFrameIndices(plan, b))]);
    extractMetrics.batchesSkipped.inc(firstMissing);
    const failed = (error: FilmroomError, batchIndex: number | null): Output<ExtractOutput>[] => [
      {
        event: 'processing-failed',
        key: ingested.video_id,
        value: deadLetterEvent({
          stage: 'extract',
          stageVersion: extractorVersion,
          source: context.source,
          error,
          attempts: context.attempt,
          payload: null,
          identity: { video_id: ingested.video_id, batch_index: batchIndex, run_id: ingested.run_id },
          now: context.now(),
        }),
      },
    ];
    // Every planned frame decoded, but the plan (from the packets there are) may cover less than the container declares.
    const shortfall = () => {
      const error = truncationOf(probe, plan, ingested.source_uri);
      if (error) log.warn({ err: error }, 'source shorter than declared');
      return error ? failed(error, null) : [];
    };
    if (firstMissing === plan.batchCount) return shortfall();

    const frames = decodeJpegFrames({
      path: videoPath,
      stride: plan.stride,
      startFrame: firstFrameOfBatch(plan, firstMissing),
      fps: plan.fps,
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
        const artifact = await packBatchArtifact(ingested.video_id, batchIndex, current);
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
    while (batchIndex < plan.batchCount) {
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
    if (batchIndex >= plan.batchCount) {
      // More frames than the container announced are ignored: the plan, made before decoding, wins.
      await frames.return(outcome);
      return shortfall();
    }

    // Decoding ended early (truncated or corrupt source): keep what decoded, then say where it stopped.
    if (current.length > 0) await completeBatch();
    const lastFrame = firstFrameOfBatch(plan, firstMissing) + (decoded - 1) * plan.stride;
    const where = decoded === 0 ? 'before the first sampled frame' : `after source frame ${lastFrame} (t=${frameTimestamp(plan, lastFrame).toFixed(3)} s)`;
    const error = new FilmroomError(
      'DECODE_FAILED',
      `decoding ${ingested.source_uri} stopped ${where}: ${decoded} of ${plan.sampledFrames - firstMissing * plan.batchSize} remaining sampled frames extracted, ` +
        `${batchIndex} of ${plan.batchCount} batches complete; ffmpeg exit ${outcome.exitCode}${outcome.stderrTail ? `: ${outcome.stderrTail}` : ''}`,
      { context: { video_id: ingested.video_id } },
    );
    log.warn({ err: error }, 'partial extraction');
    return failed(error, batchIndex);
  }

  return defineProcessor({
    name: 'extract',
    version: extractorVersion,
    input: 'video-ingested',
    stages: ['EXTRACT'],
    outputs: ['batch-extracted', 'processing-failed'],
    async handle(ingested, context) {
      const tmp = await mkdtemp(join(config.extract.tmpDir, `filmroom-extract-`));
      try {
        return await extractVideo(ingested, context, tmp);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  });
}
