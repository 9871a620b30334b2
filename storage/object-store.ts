import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../common/config.ts';

/** The one S3 client factory. Path-style addressing: local S3 servers have no per-bucket DNS. */
export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    maxAttempts: 3,
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
