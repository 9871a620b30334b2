import { FilmroomError } from '../common/errors.ts';

const SOI = 0xd8;
const EOI = 0xd9;

/**
 * Splits a concatenated stream of JPEG images (ffmpeg's `image2pipe` with the mjpeg encoder) into
 * one buffer per image. Cutting at the end-of-image marker is safe for ffmpeg's output: its JPEGs
 * carry no embedded thumbnail, and inside entropy-coded data 0xFF is always followed by 0x00 or a
 * restart marker, never by 0xD9.
 */
export class JpegStreamSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private searchFrom = 0;

  /** Adds bytes; returns the images they completed. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const images: Buffer[] = [];
    for (;;) {
      if (this.pending.length >= 2 && (this.pending[0] !== 0xff || this.pending[1] !== SOI)) {
        throw new FilmroomError('DECODE_FAILED', 'frame stream is not a sequence of JPEG images (no start-of-image marker)');
      }
      const end = this.findEndOfImage();
      if (end < 0) break;
      images.push(this.pending.subarray(0, end));
      this.pending = this.pending.subarray(end);
      this.searchFrom = 0;
    }
    return images;
  }

  /** Call at end of stream: leftover bytes mean a truncated last image. */
  finish(): number {
    return this.pending.length;
  }

  private findEndOfImage(): number {
    for (let i = Math.max(2, this.searchFrom); i < this.pending.length - 1; i++) {
      if (this.pending[i] === 0xff && this.pending[i + 1] === EOI) return i + 2;
    }
    this.searchFrom = Math.max(2, this.pending.length - 1);
    return -1;
  }
}
