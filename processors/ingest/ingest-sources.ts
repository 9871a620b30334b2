import { readdir } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FilmroomError } from '../../common/errors.ts';
import type { ObjectLocation } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { videoExtensions } from '../extract/tar-bundle.ts';
import { objectFingerprint } from './source-fingerprint.ts';

/**
 * Where the sources of a bulk ingestion come from: a task list, a local folder or an S3 prefix.
 * Each becomes a list of items that keep where they were found (`line 4`, a key, a path), so
 * every refusal can say which item it concerns.
 */
export interface SourceItem {
  /** Where the item was found, for messages: `line 4`, `sources[2]`, a key or a path. */
  where: string;
  /** The source as given: `s3://bucket/key`, `file:///path` or a local path. */
  source: string;
  /** Its size in bytes when a listing gave it already (no second existence check needed). */
  size?: number;
  /** An object's fingerprint when a listing gave it (`objectFingerprint`): no HEAD needed to name its run. */
  fingerprint?: string;
}

/** What a source turns out to be; local paths are absolute. */
export type ClassifiedSource =
  | { kind: 's3'; uri: string; location: ObjectLocation }
  /** A file:// URI: published as it is, the processors read the file themselves. */
  | { kind: 'file'; uri: string; path: string }
  /** A local path: uploaded to the uploads bucket first. */
  | { kind: 'local'; path: string };

export const acceptedSourcesMessage = 'only local paths, s3:// and file:// are accepted';

/** Whether a file name is something ingest takes: a video or a `.tar` bundle. */
export const isIngestible = (name: string) => videoExtensions.has(extname(name).toLowerCase()) || /\.tar$/i.test(name);

/**
 * Reads one source. Relative local paths resolve against `baseDir` (a task list's folder). Any
 * other scheme (http://, gs://, …) is refused: the processors could not read it.
 */
export function classifySource(source: string, baseDir: string): ClassifiedSource {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(source);
  if (s3) return { kind: 's3', uri: source, location: { bucket: s3[1]!, key: s3[2]! } };
  if (/^file:\/\/\/./.test(source)) return { kind: 'file', uri: source, path: fileURLToPath(source) };
  if (source.startsWith('s3:'))
    throw new FilmroomError('VALIDATION_FAILED', `an s3:// source names one object, s3://bucket/key (got '${source}')`, { context: { field: 'source' } });
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(source))
    throw new FilmroomError('VALIDATION_FAILED', `${acceptedSourcesMessage} (got '${source}')`, { context: { field: 'source' } });
  return { kind: 'local', path: resolve(baseDir, source) };
}

/** A task list: one source per line; blank lines and lines starting with `#` are skipped. */
export function parseTaskList(text: string): SourceItem[] {
  const items: SourceItem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line && !line.startsWith('#')) items.push({ where: `line ${i + 1}`, source: line });
  });
  return items;
}

/**
 * Every video and `.tar` bundle under a folder, recursively, sorted by path relative to it.
 * Hidden entries (`.git`, `.DS_Store`) and anything but regular files and folders are left out:
 * symbolic links could loop or leave the folder.
 */
export async function walkVideoFolder(dir: string): Promise<SourceItem[]> {
  const root = resolve(dir);
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && isIngestible(entry.name)) found.push(path);
    }
  };
  await walk(root);
  return found
    .map((path) => relative(root, path))
    .sort()
    .map((rel) => ({ where: rel, source: join(root, rel) }));
}

/** Splits `s3://bucket/prefix/` (or `s3://bucket`) into bucket and prefix; undefined if `uri` is not one. */
export function parseS3Prefix(uri: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!match || !(match[2] === undefined || match[2] === '' || match[2].endsWith('/'))) return undefined;
  return { bucket: match[1]!, prefix: match[2] ?? '' };
}

/**
 * The videos and `.tar` bundles under an S3 prefix, sorted by key, through the ObjectStore port.
 * Other objects (JSON sidecars, notes) are counted, not ingested.
 */
export async function listPrefix(store: ObjectStore, uri: string): Promise<{ items: SourceItem[]; otherObjects: number }> {
  const parsed = parseS3Prefix(uri);
  if (!parsed) throw new FilmroomError('VALIDATION_FAILED', `prefix must be s3://bucket/ or s3://bucket/folder/ ending in '/' (got '${uri}')`);
  const objects = await store.listStats(parsed.bucket, parsed.prefix);
  // Keys ending in '/' are folder markers (some servers list one per folder): neither videos nor other objects.
  const keys = [...objects.keys()].filter((key) => !key.endsWith('/')).sort();
  const items = keys
    .filter(isIngestible)
    .map((key) => ({ where: key, source: `s3://${parsed.bucket}/${key}`, size: objects.get(key)!.size, fingerprint: objectFingerprint(objects.get(key)!) }));
  return { items, otherObjects: keys.length - items.length };
}
