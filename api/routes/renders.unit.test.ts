import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

describe('renders routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it("GET renders links a video's preview, contact sheet and thumbnails", async () => {
    given = await inMemoryApp();
    given.readModel.renders.set('v', {
      preview_uri: 's3://a/renders/v/preview.mp4',
      contact_sheet_uri: 's3://a/renders/v/contact-sheet.jpg',
      thumbnail_uris: ['s3://a/renders/v/thumbnail-00.jpg'],
      thumbnail_timestamps_s: [1.5],
      frames: 60,
      batches: 6,
      width: 640,
      height: 360,
      detections: 12,
      texts: 3,
      occurred_at: '2026-01-01 00:00:00',
    });
    const response = await given.app.inject({ url: '/v1/videos/v/renders', headers: bearer(keys.reader) });
    expect(response.json()).toEqual({
      video_id: 'v',
      preview: { uri: 's3://a/renders/v/preview.mp4', url: '/v1/videos/v/renders/preview.mp4' },
      contact_sheet: { uri: 's3://a/renders/v/contact-sheet.jpg', url: '/v1/videos/v/renders/contact-sheet.jpg' },
      thumbnails: [{ uri: 's3://a/renders/v/thumbnail-00.jpg', url: '/v1/videos/v/renders/thumbnail-00.jpg', timestamp_s: 1.5 }],
      frames: 60,
      batches: 6,
      width: 640,
      height: 360,
      detections: 12,
      texts: 3,
      rendered_at: '2026-01-01 00:00:00',
    });
  });

  it('answers 404 NOT_FOUND for a video without renders and for a file the render did not record', async () => {
    given = await inMemoryApp();
    const none = await given.app.inject({ url: '/v1/videos/v/renders', headers: bearer(keys.reader) });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toEqual({ error: 'NOT_FOUND', message: 'no renders for video v (ingest it with the RENDER stage)' });
    const file = await given.app.inject({ url: '/v1/videos/v/renders/thumbnail-07.jpg', headers: bearer(keys.reader) });
    expect(file.statusCode).toBe(404);
    expect(file.json()).toEqual({ error: 'NOT_FOUND', message: 'video v has no render thumbnail-07.jpg' });
    const traversal = await given.app.inject({ url: '/v1/videos/v/renders/..%2Fsecret.jpg', headers: bearer(keys.reader) });
    expect(traversal.statusCode).toBe(400);
  });

  it('serves a recorded render file from object storage with its content type', async () => {
    given = await inMemoryApp();
    given.readModel.renders.set('v', {
      preview_uri: 's3://a/renders/v/preview.mp4',
      contact_sheet_uri: 's3://a/renders/v/contact-sheet.jpg',
      thumbnail_uris: [],
      thumbnail_timestamps_s: [],
      frames: 1,
      batches: 1,
      width: 2,
      height: 2,
      detections: 0,
      texts: 0,
      occurred_at: '2026-01-01 00:00:00',
    });
    await given.objectStore.put({ bucket: 'a', key: 'renders/v/contact-sheet.jpg' }, Buffer.from('jpeg bytes'), 'image/jpeg');
    const response = await given.app.inject({ url: '/v1/videos/v/renders/contact-sheet.jpg', headers: bearer(keys.reader) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/jpeg');
    expect(response.body).toBe('jpeg bytes');
    expect(given.objectStore.requests.get).toBe(1);
  });
});
