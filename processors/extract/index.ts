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
import type { SourceCache } from './source-cache.ts';
import { localSource } from './source.ts';
import { unpackBundle } from './tar-bundle.ts';
import { makeWorkDir, removeWorkDir } from '../work-dirs.ts';

export { extractorVersion } from './plan.ts';

export interface ExtractPorts {
  objectStore: ObjectStore;
  config: Pick<Config, 'extract' | 's3'>;
  /** The process's sources, shared by its extract processors; without it each handler call downloads its own. */
  sources?: SourceCache;
}

/** A fresh work folder for one handler call, removed however it ends (or by the next process, if this one is killed). */
async function inTmpDir<T>(config: ExtractPorts['config'], work: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = await makeWorkDir(config.extract.tmpDir, 'extract');
  try {
    return await work(tmp);
  } finally {
    await removeWorkDir(tmp);
  }
}

/** The source as a local file while `work` runs: from the source cache when there is one, else downloaded into `tmp`. */
async function withSource<T>(
  ports: ExtractPorts,
  sourceUri: string,
  tmp: string,
  log: HandlerContext<never>['log'],
  work: (path: string) => Promise<T>,
): Promise<T> {
  const source = ports.sources
    ? await ports.sources.acquire(sourceUri)
    : { ...(await localSource(sourceUri, tmp, ports.objectStore)), release: async () => undefined };
  if (source.downloaded) {
    extractMetrics.sourceDownloads.inc();
    log.info({ source: sourceUri }, 'source downloaded');
  }
  try {
    return await work(source.path);
  } finally {
    await source.release();
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
    sourcePath: string,
  ): Promise<Output<ExtractOutput | 'extract-segment-requested'>[]> {
    let videoPath = sourcePath;
    let bundleMetadata: unknown = {};
    if (ingested.container === 'TAR_BUNDLE') {
      const bundle = await unpackBundle(sourcePath, join(tmp, 'bundle'), { maxTotalBytes: config.extract.maxBundleBytes, maxEntries: 1000 });
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
    handle: (ingested, context) =>
      inTmpDir(config, (tmp) => withSource(ports, ingested.source_uri, tmp, context.log, (sourcePath) => extractVideo(ingested, context, tmp, sourcePath))),
  });
}

/**
 * Extracts one segment of a long video (extract-segment-requested → batch-extracted per batch):
 * takes the source from the process's source cache (a segment of a video this process already
 * downloaded reads that download), seeks to the segment's first missing batch and decodes to its last frame,
 * with the plan the request carries. Instances in its consumer group share a video's segments;
 * a segment redelivered after a crash resumes at its first missing batch.
 */
export function createExtractSegmentsProcessor(ports: ExtractPorts) {
  const { objectStore, config } = ports;

  async function extractSegment(request: ExtractSegmentRequested, context: HandlerContext<ExtractOutput>, videoPath: string) {
    const { plan, range, lineage } = segmentOf(request);
    context.log.info({ segment: range.index, segments: request.segment_count }, 'extracting a segment');
    const job = { videoPath, lineage, plan, range, video: request.video, sessionMetadata: request.session_metadata };
    return extractBatchRange(job, { objectStore, config, context });
  }

  return defineProcessor({
    name: 'extract-segments',
    version: extractorVersion,
    input: 'extract-segment-requested',
    stages: ['EXTRACT'],
    outputs: ['batch-extracted', 'processing-failed'],
    handle: (request, context) =>
      inTmpDir(config, (tmp) => withSource(ports, request.source_uri, tmp, context.log, (path) => extractSegment(request, context, path))),
  });
}
