import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { objectNotFound, type ObjectLocation } from './object-location.ts';
import type { ObjectStat, ObjectStore } from './ports.ts';

/**
 * The ObjectStore port in memory: a test double for unit tests only (integration tests use the
 * real S3 server). Counts requests per operation, so tests can assert how often a handler read.
 */
export class InMemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { body: Buffer; contentType: string }>();
  readonly requests = { get: 0, put: 0, upload: 0, download: 0, list: 0, delete: 0, stat: 0 };

  private static id = (location: ObjectLocation) => `${location.bucket}/${location.key}`;

  async get(location: ObjectLocation): Promise<Buffer> {
    this.requests.get++;
    const found = this.objects.get(InMemoryObjectStore.id(location));
    if (!found) throw objectNotFound(location);
    return Buffer.from(found.body);
  }

  async put(location: ObjectLocation, body: Buffer, contentType: string): Promise<void> {
    this.requests.put++;
    this.objects.set(InMemoryObjectStore.id(location), { body: Buffer.from(body), contentType });
  }

  async upload(location: ObjectLocation, body: Readable): Promise<void> {
    this.requests.upload++;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    this.objects.set(InMemoryObjectStore.id(location), { body: Buffer.concat(chunks), contentType: 'application/octet-stream' });
  }

  async bucketNames(): Promise<string[]> {
    return [...new Set([...this.objects.keys()].map((id) => id.slice(0, id.indexOf('/'))))].sort();
  }

  async download(location: ObjectLocation, path: string): Promise<number> {
    this.requests.download++;
    const found = this.objects.get(InMemoryObjectStore.id(location));
    if (!found) throw objectNotFound(location);
    await writeFile(path, found.body);
    return found.body.length;
  }

  async listStats(bucket: string, prefix: string): Promise<Map<string, ObjectStat>> {
    const stats = new Map<string, ObjectStat>();
    for (const key of (await this.list(bucket, prefix)).keys()) stats.set(key, (await this.stat({ bucket, key }))!);
    this.requests.stat -= stats.size; // one listing, not a HEAD per key
    return stats;
  }

  async list(bucket: string, prefix: string): Promise<Map<string, number>> {
    this.requests.list++;
    const sizes = new Map<string, number>();
    for (const [id, object] of [...this.objects].sort(([a], [b]) => a.localeCompare(b))) {
      if (id.startsWith(`${bucket}/${prefix}`)) sizes.set(id.slice(bucket.length + 1), object.body.length);
    }
    return sizes;
  }

  async stat(location: ObjectLocation): Promise<ObjectStat | undefined> {
    this.requests.stat++;
    const found = this.objects.get(InMemoryObjectStore.id(location));
    return found && { size: found.body.length, etag: `"${createHash('md5').update(found.body).digest('hex')}"` };
  }

  async delete(location: ObjectLocation): Promise<void> {
    this.requests.delete++;
    this.objects.delete(InMemoryObjectStore.id(location));
  }
}
