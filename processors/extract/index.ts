import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../common/config.ts';
import { probeVideo } from '../../media/ffprobe.ts';
import type { ExtractSegmentRequested, VideoIngested } from '../../schemas/index.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { defineProcessor, type HandlerContext } from '../../streams/processor.ts';
import type { Output } from '../../schemas/envelope.ts';
import { extractBatchRange, type ExtractOutput } from './extract-batches.ts';
import { extractMetrics } from './metrics.ts';
import { extractorVersion, mergeSessionMetadata, planSampling, videoMetadataOf } from './plan.ts';
import { planSegments, segmentOf, segmentRequestedOf } from './segments.ts';
import { localSource } from './source.ts';
import { unpackBundle } from './tar-bundle.ts';

export { extractorVersion } from './plan.ts';

export interface ExtractPorts {
  objectStore: ObjectStore;
  config: Pick<Config, 'extract' | 's3'>;
}

/** A fresh work folder for one handler call, removed however it ends. */
async function inTmpDir<T>(config: ExtractPorts['config'], work: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = await mkdtemp(join(config.extract.tmpDir, `filmroom-extract-`));
  try {
    return await work(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The extract stage: video-ingested → batch-extracted (one per batch of sampled frames). Downloads
 * the source, probes it and plans its sampling. A video up to FILMROOM_EXTRACT_SEGMENT_SECONDS long
 * is decoded here with one ffmpeg process (see extract-batches.ts); a longer one is split into
 * segments of whole batches, each an extract-segment-requested event that the extract-segments
 * processor of any instance takes (createExtractSegmentsProcessor). TAR bundles are never split.
 */
export function createExtractProcessor(ports: ExtractPorts) {
  const { objectStore, config } = ports;

  async function extractVideo(
    ingested: VideoIngested,
    context: HandlerContext<ExtractOutput | 'extract-segment-requested'>,
    tmp: string,
  ): Promise<Output<ExtractOutput | 'extract-segment-requested'>[]> {
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
    // A bundle's video lives inside the TAR: a segment would have to download and unpack all of it again.
    const segments = ingested.container === 'TAR_BUNDLE' ? [] : planSegments(plan, config.extract.segmentSeconds);
    if (segments.length > 1) {
      context.log.info({ batches: plan.batchCount, segments: segments.length }, 'extracting in segments');
      return segments.map((segment) =>
        segmentRequestedOf({ ingested, plan, segment, segmentCount: segments.length, video, sessionMetadata, occurredAt: context.now() }),
      );
    }
    const job = { videoPath, lineage: ingested, plan, range: { batchStart: 0, batchEnd: plan.batchCount }, video, sessionMetadata };
    return extractBatchRange(job, { objectStore, config, context });
  }

  return defineProcessor({
    name: 'extract',
    version: extractorVersion,
    input: 'video-ingested',
    stages: ['EXTRACT'],
    outputs: ['batch-extracted', 'extract-segment-requested', 'processing-failed'],
    handle: (ingested, context) => inTmpDir(config, (tmp) => extractVideo(ingested, context, tmp)),
  });
}

/**
 * Extracts one segment of a long video (extract-segment-requested → batch-extracted per batch):
 * downloads the source, seeks to the segment's first missing batch and decodes to its last frame,
 * with the plan the request carries. Instances in its consumer group share a video's segments;
 * a segment redelivered after a crash resumes at its first missing batch.
 */
export function createExtractSegmentsProcessor(ports: ExtractPorts) {
  const { objectStore, config } = ports;

  async function extractSegment(request: ExtractSegmentRequested, context: HandlerContext<ExtractOutput>, tmp: string) {
    const source = await localSource(request.source_uri, tmp, objectStore);
    if (source.downloaded) extractMetrics.sourceDownloads.inc();
    const { plan, range, lineage } = segmentOf(request);
    context.log.info({ segment: range.index, segments: request.segment_count }, 'extracting a segment');
    const job = { videoPath: source.path, lineage, plan, range, video: request.video, sessionMetadata: request.session_metadata };
    return extractBatchRange(job, { objectStore, config, context });
  }

  return defineProcessor({
    name: 'extract-segments',
    version: extractorVersion,
    input: 'extract-segment-requested',
    stages: ['EXTRACT'],
    outputs: ['batch-extracted', 'processing-failed'],
    handle: (request, context) => inTmpDir(config, (tmp) => extractSegment(request, context, tmp)),
  });
}
