import { describe, expect, it } from 'vitest';
import { JpegStreamSplitter } from './jpeg-stream.ts';

const fakeJpeg = (id: number, bodyBytes: number) =>
  Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(bodyBytes, id), Buffer.from([0xff, 0x00, id, 0xff, 0xd0]), Buffer.from([0xff, 0xd9])]);

describe('JpegStreamSplitter', () => {
  it('given images split at arbitrary chunk boundaries, returns each image whole and in order', () => {
    const images = [fakeJpeg(1, 100), fakeJpeg(2, 7), fakeJpeg(3, 3000)];
    const stream = Buffer.concat(images);
    for (const chunkSize of [1, 2, 3, 64, 1000, stream.length]) {
      const splitter = new JpegStreamSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) out.push(...splitter.push(stream.subarray(i, i + chunkSize)));
      expect(out, `chunk size ${chunkSize}`).toEqual(images);
      expect(splitter.finish()).toBe(0);
    }
  });

  it('reports the bytes of a truncated last image', () => {
    const splitter = new JpegStreamSplitter();
    expect(splitter.push(Buffer.concat([fakeJpeg(1, 10), fakeJpeg(2, 10).subarray(0, 8)]))).toHaveLength(1);
    expect(splitter.finish()).toBe(8);
  });

  it('rejects a stream that does not start with a JPEG start-of-image marker', () => {
    expect(() => new JpegStreamSplitter().push(Buffer.from('PNG...'))).toThrow(/no start-of-image marker/);
  });
});
