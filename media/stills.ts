import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { FilmroomError } from '../common/errors.ts';
import { runFfmpeg } from './run-ffmpeg.ts';

/**
 * Thumbnails and contact sheets of a stitched MP4 whose frames are a video's sampled frames (the
 * render preview, a transformed video): stills picked evenly, and a sheet tiling them.
 */

/** `count` frame positions evenly spaced over `total` frames, first and last included, without repeats. */
export function evenlySpaced(total: number, count: number): number[] {
  if (total <= 0) return [];
  if (count <= 1) return [0];
  return [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (total - 1)) / (count - 1))))];
}

/** Columns and rows of a contact sheet for `count` tiles: as square as possible. */
export function sheetGrid(count: number): { columns: number; rows: number } {
  const columns = Math.max(1, Math.ceil(Math.sqrt(count)));
  return { columns, rows: Math.max(1, Math.ceil(count / columns)) };
}

/** JPEG stills of `video` (an MP4 at `fps`) at the frames numbered `positions` (0-based, in the MP4). */
export async function stillsOf(video: string, fps: number, positions: readonly number[], tmp: string, what: string): Promise<Buffer[]> {
  const stills: Buffer[] = [];
  for (const [n, position] of positions.entries()) {
    const path = join(tmp, `still-${n}.jpg`);
    // Seeking is exact (frames before the time are decoded and dropped): land on the start of frame `position`.
    const at = Math.floor((position / fps) * 1000) / 1000;
    await runFfmpeg(['-nostdin', '-v', 'error', '-y', '-ss', at.toFixed(3), '-i', video, '-frames:v', '1', '-q:v', '3', path]);
    stills.push(
      await readFile(path).catch((error: unknown) => {
        throw new FilmroomError('ENCODE_FAILED', `ffmpeg wrote no still at ${at} s of ${what}`, { cause: error });
      }),
    );
  }
  return stills;
}

/** A JPEG sheet of `tiles` in a square-ish grid, each tile at most 320 pixels wide with the frames' aspect ratio. */
export async function contactSheetOf(tiles: readonly Buffer[], frame: { width: number; height: number }): Promise<Buffer> {
  const { columns, rows } = sheetGrid(tiles.length);
  const tileWidth = Math.min(320, frame.width);
  const tileHeight = Math.max(1, Math.round((frame.height * tileWidth) / frame.width));
  const resized = await Promise.all(tiles.map((t) => sharp(t).resize(tileWidth, tileHeight, { fit: 'fill' }).toBuffer()));
  return sharp({ create: { width: columns * tileWidth, height: rows * tileHeight, channels: 3, background: '#000000' } })
    .composite(resized.map((input, i) => ({ input, left: (i % columns) * tileWidth, top: Math.floor(i / columns) * tileHeight })))
    .jpeg({ quality: 85 })
    .toBuffer();
}
