import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Counter } from 'prom-client';
import { FilmroomError } from '../common/errors.ts';
import { metricsRegistry } from '../streams/metrics.ts';
import type { S3Config } from '../common/config.ts';
import { objectNotFound, s3Uri, type ObjectLocation } from './object-location.ts';
import type { ObjectStat, ObjectStore } from './ports.ts';

export { parseS3Uri, s3Uri, type ObjectLocation } from './object-location.ts';

/** The one S3 client factory. Path-style addressing: local S3 servers have no per-bucket DNS. */
export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    maxAttempts: 3,
    // Without these a server that accepts a connection and then goes quiet stalls a processor for
    // ever. The socket limit is on idleness, not on the whole transfer, so large artifacts are fine.
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 60_000 },
    // Local S3 servers (S3Proxy, older MinIO) reject the SDK's default streaming checksum trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function listBucketNames(client: S3Client): Promise<string[]> {
  const answer = await client.send(new ListBucketsCommand({}));
  return (answer.Buckets ?? []).map((bucket) => bucket.Name ?? '').filter(Boolean);
}

/** Creates the configured buckets that do not exist yet; returns the ones it created. */
export async function ensureBuckets(client: S3Client, names: string[]): Promise<string[]> {
  const created: string[] = [];
  for (const name of names) {
    try {
      await client.send(new HeadBucketCommand({ Bucket: name }));
    } catch {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      created.push(name);
    }
  }
  return created;
}

/** Requests per operation and bucket: lets tests prove, e.g., that a replay reads no source video. */
export const objectStoreRequests = new Counter({
  name: 'filmroom_object_store_requests_total',
  help: 'S3 requests made by this process',
  labelNames: ['operation', 'bucket'] as const,
  registers: [metricsRegistry],
});

const isNotFound = (error: unknown) =>
  error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404);

/** Maps S3 failures into the taxonomy: a missing object is permanent, the rest may pass. */
function objectStoreError(operation: string, location: ObjectLocation, error: unknown): FilmroomError {
  if (isNotFound(error)) return objectNotFound(location, error);
  return new FilmroomError('SERVICE_UNAVAILABLE', `object store: ${operation} ${s3Uri(location)} failed`, { cause: error, context: { ...location } });
}

export async function putObject(client: S3Client, location: ObjectLocation, body: Buffer, contentType: string): Promise<void> {
  objectStoreRequests.inc({ operation: 'put', bucket: location.bucket });
  try {
    await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body, ContentType: contentType }));
  } catch (error) {
    throw objectStoreError('PUT', location, error);
  }
}

export async function getObjectBuffer(client: S3Client, location: ObjectLocation): Promise<Buffer> {
  objectStoreRequests.inc({ operation: 'get', bucket: location.bucket });
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } catch (error) {
    throw objectStoreError('GET', location, error);
  }
}

/** Streams an object to a file, never holding it in memory; returns its size in bytes. */
export async function downloadToFile(client: S3Client, location: ObjectLocation, path: string): Promise<number> {
  objectStoreRequests.inc({ operation: 'get', bucket: location.bucket });
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    await pipeline(answer.Body as Readable, createWriteStream(path));
    return answer.ContentLength ?? 0;
  } catch (error) {
    throw objectStoreError('GET', location, error);
  }
}

export async function deleteObject(client: S3Client, location: ObjectLocation): Promise<void> {
  objectStoreRequests.inc({ operation: 'delete', bucket: location.bucket });
  try {
    await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }));
  } catch (error) {
    throw objectStoreError('DELETE', location, error);
  }
}

/** An object's size and ETag; undefined when there is none (404). */
export async function statObject(client: S3Client, location: ObjectLocation): Promise<ObjectStat | undefined> {
  objectStoreRequests.inc({ operation: 'head', bucket: location.bucket });
  try {
    const answer = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return { size: answer.ContentLength ?? 0, etag: answer.ETag ?? '' };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw objectStoreError('HEAD', location, error);
  }
}

/** Keys under a prefix (all pages). */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return [...(await listObjectSizes(client, bucket, prefix)).keys()];
}

/** Keys under a prefix with their sizes in bytes (all pages). */
export async function listObjectSizes(client: S3Client, bucket: string, prefix: string): Promise<Map<string, number>> {
  return new Map([...(await listObjectStats(client, bucket, prefix))].map(([key, stat]) => [key, stat.size]));
}

/** Keys under a prefix with their sizes and ETags (all pages): what one HEAD per key would say, in one request per 1,000 keys. */
export async function listObjectStats(client: S3Client, bucket: string, prefix: string): Promise<Map<string, ObjectStat>> {
  const objects = new Map<string, ObjectStat>();
  let token: string | undefined;
  do {
    objectStoreRequests.inc({ operation: 'list', bucket });
    const answer = await client
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
      .catch((error: unknown) => Promise.reject(objectStoreError('LIST', { bucket, key: prefix }, error)));
    for (const object of answer.Contents ?? []) if (object.Key) objects.set(object.Key, { size: object.Size ?? 0, etag: object.ETag ?? '' });
    token = answer.IsTruncated ? answer.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** Streams a body of unknown length to S3 as a multipart upload (8 MiB parts, two in flight). */
export async function uploadStream(client: S3Client, location: ObjectLocation, body: Readable): Promise<void> {
  await new Upload({ client, params: { Bucket: location.bucket, Key: location.key, Body: body }, queueSize: 2, partSize: 8 * 1024 ** 2 })
    .done()
    .catch((error: unknown) => Promise.reject(objectStoreError('PUT', location, error)));
}

/** The S3 adapter of the ObjectStore port: the functions above, over one client (its timeouts and retries included). */
export function s3ObjectStore(client: S3Client): ObjectStore {
  return {
    get: (location) => getObjectBuffer(client, location),
    put: (location, body, contentType) => putObject(client, location, body, contentType),
    download: (location, path) => downloadToFile(client, location, path),
    list: (bucket, prefix) => listObjectSizes(client, bucket, prefix),
    listStats: (bucket, prefix) => listObjectStats(client, bucket, prefix),
    delete: (location) => deleteObject(client, location),
    stat: (location) => statObject(client, location),
    upload: (location, body) => uploadStream(client, location, body),
    bucketNames: () => listBucketNames(client),
  };
}
