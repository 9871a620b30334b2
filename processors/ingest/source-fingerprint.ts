import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseS3Uri } from '../../storage/object-location.ts';
import type { ObjectStat, ObjectStore } from '../../storage/ports.ts';

/** An S3 object's fingerprint from its HEAD or its listing entry (the same either way). */
export const objectFingerprint = (stat: ObjectStat) => `etag:${stat.etag.replace(/"/g, '')} size:${stat.size}`;

/**
 * What a source is at ingest time, cheaply: an S3 object's ETag and size (one HEAD), a local
 * file's size and modification time, or `absent`. It is part of the run id, so replacing the file
 * behind a video id starts a new run instead of reusing the old file's frames, and a source that
 * was missing gets a new run once it exists.
 */
export async function sourceFingerprint(objectStore: ObjectStore, sourceUri: string): Promise<string> {
  if (sourceUri.startsWith('s3://')) {
    const found = await objectStore.stat(parseS3Uri(sourceUri));
    return found ? objectFingerprint(found) : 'absent';
  }
  try {
    const info = await stat(fileURLToPath(sourceUri));
    return `size:${info.size} mtime:${Math.round(info.mtimeMs)}`;
  } catch {
    return 'absent';
  }
}
