import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FilmroomError } from '../../common/errors.ts';
import { parseS3Uri } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';

/**
 * Brings a source to a local file: s3:// objects are streamed to the temp folder (never held in
 * memory), file:// paths are used where they are.
 */
export async function localSource(sourceUri: string, tmpDir: string, objectStore: ObjectStore): Promise<{ path: string; downloaded: boolean }> {
  let path: string;
  let downloaded = false;
  if (sourceUri.startsWith('s3://')) {
    const location = parseS3Uri(sourceUri);
    path = join(tmpDir, 'source');
    await objectStore.download(location, path);
    downloaded = true;
  } else if (sourceUri.startsWith('file://')) {
    path = fileURLToPath(sourceUri);
    if (!existsSync(path)) throw new FilmroomError('SOURCE_NOT_FOUND', `source file ${path} does not exist`);
  } else {
    throw new FilmroomError('MALFORMED_EVENT', `source_uri must be s3://bucket/key or file:///path (got '${sourceUri}')`);
  }
  if (statSync(path).size === 0) throw new FilmroomError('INVALID_SOURCE', `source ${sourceUri} is empty (0 bytes)`);
  return { path, downloaded };
}
