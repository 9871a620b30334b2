import { describe, expect, it } from 'vitest';
import { checkBundleEntry } from './tar-bundle.ts';

const limits = { maxTotalBytes: 1000, maxEntries: 10 };

describe('checkBundleEntry', () => {
  it('accepts regular files and skips directories and pax headers', () => {
    expect(checkBundleEntry({ name: 'capture/game.mp4', type: 'file', size: 10 }, 0, limits)).toEqual({ kind: 'file', path: 'capture/game.mp4' });
    expect(checkBundleEntry({ name: 'capture/', type: 'directory' }, 0, limits)).toEqual({ kind: 'skip' });
    expect(checkBundleEntry({ name: 'PaxHeader', type: 'pax-header' }, 0, limits)).toEqual({ kind: 'skip' });
  });

  it.each([
    ['../evil.mp4', "escapes the bundle with '..'"],
    ['a/../../evil.mp4', "escapes the bundle with '..'"],
    ['a/..\\..\\evil.mp4', "escapes the bundle with '..'"],
    ['/etc/passwd', 'has an absolute path'],
    ['C:\\evil.mp4', 'has an absolute path'],
  ])('refuses %s', (name, message) => {
    expect(() => checkBundleEntry({ name, type: 'file', size: 1 }, 0, limits)).toThrow(message);
  });

  it('refuses links and special files, naming the entry', () => {
    expect(() => checkBundleEntry({ name: 'game.mp4', type: 'symlink' }, 0, limits)).toThrow("TAR entry 'game.mp4' is a symbolic link");
    expect(() => checkBundleEntry({ name: 'game.mp4', type: 'link' }, 0, limits)).toThrow('is a hard link');
    expect(() => checkBundleEntry({ name: 'dev', type: 'character-device' }, 0, limits)).toThrow('is a character-device, not a regular file');
  });

  it('refuses the entry that takes the bundle over its size limit', () => {
    expect(checkBundleEntry({ name: 'a.mp4', type: 'file', size: 600 }, 400, limits)).toEqual({ kind: 'file', path: 'a.mp4' });
    expect(() => checkBundleEntry({ name: 'b.mp4', type: 'file', size: 601 }, 400, limits)).toThrow(
      "larger than the limit of 1000 bytes (FILMROOM_EXTRACT_MAX_BUNDLE_BYTES) at entry 'b.mp4'",
    );
  });
});
