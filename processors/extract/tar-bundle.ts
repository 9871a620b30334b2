import { createReadStream, createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { posix, join, extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { FilmroomError } from '../../common/errors.ts';

/** File types a bundle may hold as its video. */
export const videoExtensions = new Set(['.mp4', '.mov', '.mkv', '.webm', '.ts', '.m4v', '.avi']);

export interface BundleLimits {
  maxTotalBytes: number;
  maxEntries: number;
}

export interface BundleEntryHeader {
  name: string;
  type?: string | null;
  size?: number | null;
}

/**
 * Whether a TAR entry may be unpacked, and where (relative to the bundle folder). Pure, so every
 * hostile case is unit-tested: absolute paths, `..` segments, links and special files are refused
 * for the whole bundle: a bundle that tries one is not trusted for the rest.
 */
export function checkBundleEntry(header: BundleEntryHeader, seenBytes: number, limits: BundleLimits): { kind: 'file'; path: string } | { kind: 'skip' } {
  const name = header.name;
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) throw new FilmroomError('INVALID_SOURCE', `TAR entry '${name}' has an absolute path`);
  const normalised = posix.normalize(name.replaceAll('\\', '/'));
  if (normalised === '..' || normalised.startsWith('../') || name.split(/[\\/]/).includes('..')) {
    throw new FilmroomError('INVALID_SOURCE', `TAR entry '${name}' escapes the bundle with '..'`);
  }
  const type = header.type ?? 'file';
  if (type === 'directory') return { kind: 'skip' };
  if (type === 'symlink' || type === 'link')
    throw new FilmroomError('INVALID_SOURCE', `TAR entry '${name}' is a ${type === 'link' ? 'hard link' : 'symbolic link'}, which bundles may not contain`);
  if (type === 'pax-header' || type === 'pax-global-header' || type === 'gnu-long-path' || type === 'gnu-long-link-path') return { kind: 'skip' };
  if (type !== 'file' && type !== 'contiguous-file') throw new FilmroomError('INVALID_SOURCE', `TAR entry '${name}' is a ${type}, not a regular file`);
  const size = header.size ?? 0;
  if (seenBytes + size > limits.maxTotalBytes) {
    throw new FilmroomError(
      'INVALID_SOURCE',
      `TAR bundle is larger than the limit of ${limits.maxTotalBytes} bytes (FILMROOM_EXTRACT_MAX_BUNDLE_BYTES) at entry '${name}'`,
    );
  }
  return { kind: 'file', path: normalised };
}

export interface UnpackedBundle {
  videoPath: string;
  metadata: unknown;
  entries: number;
}

/**
 * Unpacks a TAR bundle (a video plus session-metadata JSON, the older pipeline's format) into
 * `dir`, streaming entry by entry. Nothing is written outside `dir`: every entry is checked first.
 */
export async function unpackBundle(tarPath: string, dir: string, limits: BundleLimits): Promise<UnpackedBundle> {
  mkdirSync(dir, { recursive: true });
  const extract = tar.extract();
  const videos: string[] = [];
  const jsons: string[] = [];
  let bytes = 0;
  let entries = 0;
  const reading = pipeline(createReadStream(tarPath), extract).catch((error: unknown) => {
    throw new FilmroomError('INVALID_SOURCE', `not a readable TAR bundle: ${(error as Error).message}`, { cause: error });
  });
  try {
    for await (const entry of extract) {
      entries++;
      if (entries > limits.maxEntries) throw new FilmroomError('INVALID_SOURCE', `TAR bundle has more than ${limits.maxEntries} entries`);
      const verdict = checkBundleEntry(entry.header, bytes, limits);
      if (verdict.kind === 'skip') {
        entry.resume();
        continue;
      }
      bytes += entry.header.size ?? 0;
      // Flattened to the base name inside dir: no folder from the archive is ever created.
      const target = join(dir, `${entries}-${posix.basename(verdict.path)}`);
      await pipeline(entry, createWriteStream(target, { flags: 'wx' }));
      const extension = extname(verdict.path).toLowerCase();
      if (videoExtensions.has(extension)) videos.push(target);
      else if (extension === '.json') jsons.push(target);
    }
    await reading;
  } catch (error) {
    extract.destroy();
    await reading.catch(() => undefined);
    if (error instanceof FilmroomError) throw error;
    throw new FilmroomError('INVALID_SOURCE', `not a readable TAR bundle: ${(error as Error).message}`, { cause: error });
  }
  if (entries === 0) throw new FilmroomError('INVALID_SOURCE', 'TAR bundle is empty or not a TAR file');
  if (videos.length !== 1) {
    throw new FilmroomError('INVALID_SOURCE', `TAR bundle must hold exactly one video (${[...videoExtensions].join(', ')}), found ${videos.length}`);
  }
  let metadata: unknown = {};
  for (const json of jsons) {
    try {
      metadata = { ...(metadata as object), ...(JSON.parse(readFileSync(json, 'utf8')) as object) };
    } catch (error) {
      throw new FilmroomError('INVALID_SOURCE', `session metadata ${posix.basename(json)} in the TAR bundle is not valid JSON`, { cause: error });
    }
  }
  return { videoPath: videos[0]!, metadata, entries };
}
