import { describe, expect, it } from 'vitest';
import type { TransformRow } from '../projections/read-model/transforms.ts';
import { transformLine } from './transforms-command.ts';

const stitched: TransformRow = {
  transform_name: 'mock',
  transform_version: '1',
  adapter: 'mock',
  batches_transformed: 2,
  batch_count: 2,
  transform_ms: 3.5,
  progress_reports: 2,
  state: 'stitched',
  video: {
    uri: 's3://a/videos/v/transforms/mock@1/video.mp4',
    sha256: 'ab12',
    fps: 1,
    has_audio: false,
    frames: 6,
    width: 64,
    height: 36,
    contact_sheet_uri: 's3://a/videos/v/transforms/mock@1/contact-sheet.jpg',
    thumbnail_uris: [],
    stitch_ms: 40,
  },
};
const underway: TransformRow = { ...stitched, transform_name: 'model', adapter: 'subprocess', batches_transformed: 1, state: 'transforming', video: null };

describe('filmroom transforms', () => {
  it('filmroom transforms prints one line per transform', () => {
    expect(transformLine(underway)).toBe('model@1 (subprocess): 1/2 batches, transforming');
    expect(transformLine(stitched)).toBe(
      'mock@1 (mock): 2/2 batches, stitched: s3://a/videos/v/transforms/mock@1/video.mp4 6 frames 64x36 at 1 fps, sha256 ab12, contact sheet s3://a/videos/v/transforms/mock@1/contact-sheet.jpg',
    );
  });
});
