import { Counter } from 'prom-client';
import { decodeRgbImage } from '../inference/decode-image.ts';
import { metricsRegistry } from '../streams/metrics.ts';
import { unpackBatchArtifact } from './batch-artifact.ts';
import { parseS3Uri } from './object-location.ts';
import type { DecodedFrame, FrameSource, ObjectStore } from './ports.ts';

export const frameSourceMetrics = {
  fetches: new Counter({
    name: 'filmroom_frame_source_fetches_total',
    help: 'Batch artifacts the frame source fetched from object storage',
    registers: [metricsRegistry],
  }),
  decodes: new Counter({
    name: 'filmroom_frame_source_decodes_total',
    help: 'Batch artifacts the frame source unpacked and JPEG-decoded (all frames of a batch count once)',
    registers: [metricsRegistry],
  }),
  cacheHits: new Counter({
    name: 'filmroom_frame_source_cache_hits_total',
    help: 'Requests for a batch answered without a fetch: decoded already, or being fetched and decoded for another stage',
    registers: [metricsRegistry],
  }),
};

export interface FrameSourceOptions {
  objectStore: ObjectStore;
  /**
   * Decoded batches kept in this process (least recently used goes first), counting those being
   * fetched. 0: no cache and no sharing: every request fetches and decodes (FILMROOM_FRAME_CACHE_BATCHES).
   */
  cacheBatches: number;
}

/**
 * The FrameSource port over an ObjectStore: fetches a batch artifact, unpacks it and decodes every
 * frame to RGB once, then serves the same frames to every stage of the process that asks for that
 * batch (detect, ocr, checks and render all read each batch). Concurrent requests for a batch share
 * one fetch and decode. A failed load is not kept: the next request tries again.
 */
export function createFrameSource(options: FrameSourceOptions): FrameSource {
  const { objectStore, cacheBatches } = options;
  // Insertion order is recency order: a hit moves its entry to the end, eviction takes the first.
  const cache = new Map<string, Promise<readonly DecodedFrame[]>>();

  async function load(artifactUri: string): Promise<readonly DecodedFrame[]> {
    const location = parseS3Uri(artifactUri);
    frameSourceMetrics.fetches.inc();
    const artifact = await objectStore.get(location);
    frameSourceMetrics.decodes.inc();
    const { frames } = await unpackBatchArtifact(artifact, artifactUri);
    const decoded = await Promise.all(
      frames.map(async (frame) => ({ ...frame, rgb: await decodeRgbImage(frame.jpeg, `frame ${frame.frameIndex} of ${artifactUri}`) })),
    );
    return Object.freeze(decoded);
  }

  return {
    frames(artifactUri) {
      if (cacheBatches === 0) return load(artifactUri);
      const cached = cache.get(artifactUri);
      if (cached) {
        frameSourceMetrics.cacheHits.inc();
        cache.delete(artifactUri);
        cache.set(artifactUri, cached);
        return cached;
      }
      const loading = load(artifactUri);
      cache.set(artifactUri, loading);
      loading.catch(() => {
        if (cache.get(artifactUri) === loading) cache.delete(artifactUri);
      });
      while (cache.size > cacheBatches) cache.delete(cache.keys().next().value!);
      return loading;
    },
  };
}
