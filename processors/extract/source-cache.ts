import { join } from 'node:path';
import { parseS3Uri } from '../../storage/object-location.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import { makeWorkDir, removeStaleWorkDirs, removeWorkDir } from '../work-dirs.ts';
import { localSource } from './source.ts';

/** A source as a local file, held until released. */
export interface HeldSource {
  path: string;
  /** Whether this acquisition downloaded it (false: read in place, or already downloaded). */
  downloaded: boolean;
  release(): Promise<void>;
}

/**
 * The sources of one process's extraction, downloaded once and shared: a long video's segments
 * (and the probe that planned them) that land on one process read one download instead of one
 * each. s3:// objects are kept under their ETag, so a replaced object is downloaded again; the
 * least recently used sources no one holds are removed once the kept bytes pass `maxBytes` (0
 * keeps none: every acquisition downloads, and its release removes). file:// sources are read in
 * place.
 */
export interface SourceCache {
  acquire(sourceUri: string): Promise<HeldSource>;
  /** Removes every kept source (the process is stopping). */
  close(): Promise<void>;
}

interface Entry {
  path: string;
  bytes: number;
  holders: number;
  lastUsed: number;
  ready: Promise<void>;
}

/**
 * The source cache of a process's extract processors, in the extract work folder: folders that
 * killed processes left there (their downloads, their sources) are removed first.
 */
export async function openSourceCache(ports: {
  objectStore: ObjectStore;
  config: { extract: { tmpDir: string; sourceCacheBytes: number } };
}): Promise<{ sources: SourceCache; removed: string[] }> {
  const removed = await removeStaleWorkDirs(ports.config.extract.tmpDir);
  return {
    sources: createSourceCache({ objectStore: ports.objectStore, root: ports.config.extract.tmpDir, maxBytes: ports.config.extract.sourceCacheBytes }),
    removed,
  };
}

export function createSourceCache(options: { objectStore: ObjectStore; root: string; maxBytes: number }): SourceCache {
  const { objectStore, maxBytes } = options;
  const entries = new Map<string, Entry>();
  let dir: Promise<string> | undefined;
  let downloads = 0;
  let clock = 0;

  async function evict(): Promise<void> {
    let kept = [...entries.values()].reduce((sum, entry) => sum + entry.bytes, 0);
    const idle = [...entries].filter(([, entry]) => entry.holders === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of idle) {
      if (kept <= maxBytes) break;
      entries.delete(key);
      kept -= entry.bytes;
      await removeWorkDir(entry.path);
    }
  }

  function held(key: string, entry: Entry, downloaded: boolean): HeldSource {
    let released = false;
    return {
      path: entry.path,
      downloaded,
      async release() {
        if (released) return;
        released = true;
        entry.holders--;
        entry.lastUsed = ++clock;
        if (entries.get(key) === entry) await evict();
      },
    };
  }

  return {
    async acquire(sourceUri) {
      if (!sourceUri.startsWith('s3://')) {
        // file:// is read in place (and a malformed URI refused) exactly as without a cache.
        const local = await localSource(sourceUri, '', objectStore);
        return { path: local.path, downloaded: false, release: async () => undefined };
      }
      const location = parseS3Uri(sourceUri);
      const stat = await objectStore.stat(location);
      // No such object: the download below fails with the store's own error, as it would uncached
      // (and should it appear meanwhile, its download is kept under a key no one asks for).
      const key = stat ? `${sourceUri}\n${stat.etag}` : `${sourceUri}\n#${downloads}`;
      const found = entries.get(key);
      if (found) {
        found.holders++;
        try {
          await found.ready;
        } catch (error) {
          found.holders--;
          throw error;
        }
        return held(key, found, false);
      }
      // Registered before anything is awaited, so that acquisitions meanwhile wait for this download.
      const entry: Entry = { path: '', bytes: 0, holders: 1, lastUsed: ++clock, ready: Promise.resolve() };
      entries.set(key, entry);
      entry.ready = (async () => {
        // A folder that could not be made (the root missing) is tried again by the next acquisition.
        dir ??= makeWorkDir(options.root, 'sources').catch((error: unknown) => {
          dir = undefined;
          throw error;
        });
        entry.path = join(await dir, `source-${++downloads}`);
        entry.bytes = (await localSource(sourceUri, '', objectStore, entry.path)).bytes;
      })();
      try {
        await entry.ready;
      } catch (error) {
        entries.delete(key);
        if (entry.path) await removeWorkDir(entry.path);
        throw error;
      }
      await evict();
      return held(key, entry, true);
    },
    async close() {
      entries.clear();
      if (dir) await removeWorkDir(await dir);
      dir = undefined;
    },
  };
}
