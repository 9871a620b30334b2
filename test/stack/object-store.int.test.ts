import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceDirs } from '../../deploy/local/layout.ts';
import { createS3Client, listBucketNames } from '../../storage/object-store.ts';
import { testConfig, testStackMode } from '../support/stack-config.ts';

describe('S3-compatible object store (real)', () => {
  const config = testConfig();
  const client = createS3Client(config.s3);
  const bucket = config.s3.buckets.artifacts;
  const key = `it/${randomUUID()}/frame-000.jpg`;
  const body = Buffer.from(`not really a jpeg ${randomUUID()}`);

  afterAll(async () => {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    client.destroy();
  });

  it('has the configured buckets', async () => {
    expect(await listBucketNames(client)).toEqual(expect.arrayContaining(Object.values(config.s3.buckets)));
  });

  it('given a put object, gets back the same bytes and an MD5 ETag', async () => {
    const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'image/jpeg' }));
    expect(put.ETag?.replaceAll('"', '')).toBe(createHash('md5').update(body).digest('hex'));
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect(got.ContentType).toBe('image/jpeg');
    if (testStackMode() === 'local') {
      // The filesystem backend stores the object as a file: proof it went through the real server.
      const onDisk = join(serviceDirs(config, 'object-store').data, bucket, key);
      expect(existsSync(onDisk)).toBe(true);
      expect(readFileSync(onDisk)).toEqual(body);
    }
  });

  it('rejects a request signed with the wrong secret', async () => {
    const intruder = createS3Client({ ...config.s3, secretAccessKey: 'definitely-wrong-secret' });
    await expect(intruder.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toThrow();
    intruder.destroy();
  });
});
