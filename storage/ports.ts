import type { Readable } from 'node:stream';
import type { RgbImage } from '../schemas/vision.ts';
import type { ObjectLocation } from './object-location.ts';

/**
 * The storage ports handed to processors by the composition root (cli/pipeline.ts). Handlers see
 * these interfaces only, never an SDK client: the S3 adapter is `s3ObjectStore` (object-store.ts),
 * the frame source `createFrameSource` (frame-source.ts); unit tests use `InMemoryObjectStore`.
 */

export interface ObjectStat {
  size: number;
  etag: string;
}

/** Object storage as the processors use it. A missing object fails with SOURCE_NOT_FOUND (permanent). */
export interface ObjectStore {
  get(location: ObjectLocation): Promise<Buffer>;
  put(location: ObjectLocation, body: Buffer, contentType: string): Promise<void>;
  /** Streams a body of unknown length in parts (uploads), without holding it in memory. */
  upload(location: ObjectLocation, body: Readable): Promise<void>;
  /** Streams an object to a local file without holding it in memory; returns its size in bytes. */
  download(location: ObjectLocation, path: string): Promise<number>;
  /** Keys under a prefix with their sizes in bytes (all pages). */
  list(bucket: string, prefix: string): Promise<Map<string, number>>;
  /** Keys under a prefix with their sizes and ETags (all pages). */
  listStats(bucket: string, prefix: string): Promise<Map<string, ObjectStat>>;
  delete(location: ObjectLocation): Promise<void>;
  /** An object's size and ETag, or undefined when there is none at the location. */
  stat(location: ObjectLocation): Promise<ObjectStat | undefined>;
  /** The buckets there are: a real request, so it doubles as the readiness check. */
  bucketNames(): Promise<string[]>;
}

/** One sampled frame of a batch artifact, decoded. Shared between the stages of a process: never mutate it. */
export interface DecodedFrame {
  readonly frameIndex: number;
  readonly timestampS: number;
  /** The stored JPEG, as in the artifact. */
  readonly jpeg: Buffer;
  /** The JPEG decoded to 8-bit RGB at full stored resolution. */
  readonly rgb: RgbImage;
}

/** The frames of batch artifacts (storage/batch-artifact.ts), fetched and decoded once per process where possible. */
export interface FrameSource {
  /**
   * The frames of the artifact at `artifactUri` (s3://bucket/key), in manifest order. A missing
   * artifact is SOURCE_NOT_FOUND, an unreadable TAR or JPEG MALFORMED_EVENT (both permanent).
   */
  frames(artifactUri: string): Promise<readonly DecodedFrame[]>;
}
