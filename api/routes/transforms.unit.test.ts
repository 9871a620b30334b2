import { afterEach, describe, expect, it } from 'vitest';
import { transformLine, type TransformRow } from '../../projections/read-model/transforms.ts';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

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
    thumbnail_uris: ['s3://a/videos/v/transforms/mock@1/thumbnail-00.jpg'],
    stitch_ms: 40,
  },
};
const underway: TransformRow = { ...stitched, transform_name: 'model', adapter: 'subprocess', batches_transformed: 1, state: 'transforming', video: null };

describe('transforms route and command (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it("GET transforms lists a video's transforms, stitched or under way, and none for a video without", async () => {
    given = await inMemoryApp();
    given.readModel.transforms.set('v', [stitched, underway]);
    const answer = await given.app.inject({ url: '/v1/videos/v/transforms', headers: bearer(keys.reader) });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ video_id: 'v', items: [stitched, underway] });
    const none = await given.app.inject({ url: '/v1/videos/other/transforms', headers: bearer(keys.reader) });
    expect(none.json()).toEqual({ video_id: 'other', items: [] });
    expect((await given.app.inject({ url: '/v1/videos/v/transforms' })).statusCode).toBe(401);
  });

  it('filmroom transforms prints one line per transform', () => {
    expect(transformLine(underway)).toBe('model@1 (subprocess): 1/2 batches, transforming');
    expect(transformLine(stitched)).toBe(
      'mock@1 (mock): 2/2 batches, stitched: s3://a/videos/v/transforms/mock@1/video.mp4 6 frames 64x36 at 1 fps, sha256 ab12, contact sheet s3://a/videos/v/transforms/mock@1/contact-sheet.jpg',
    );
  });
});
