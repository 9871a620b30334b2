import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

/** A multipart body with text fields and, optionally, a small file. */
const form = (fields: Record<string, string>) => {
  const boundary = 'filmroomboundary';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  const file = (content: string) =>
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.mp4"\r\ncontent-type: video/mp4\r\n\r\n${content}\r\n`;
  return (withFile: boolean, content = 'xx') => ({
    payload: `${parts.join('')}${withFile ? file(content) : ''}--${boundary}--\r\n`,
    headers: { ...bearer(keys.uploader), 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
};

describe('uploads route (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('answers 415 UNSUPPORTED_MEDIA_TYPE to a body that is not multipart', async () => {
    given = await inMemoryApp();
    const response = await given.app.inject({
      method: 'POST',
      url: '/v1/uploads',
      headers: { ...bearer(keys.uploader), 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'send multipart/form-data with the video in the field `file`' });
  });

  it('answers 400 VALIDATION_FAILED naming the field, before the upload, and publishes nothing', async () => {
    given = await inMemoryApp();
    const cases: [Record<string, string>, boolean, string][] = [
      [{ video_id: 'v-1' }, false, "no file: the video goes in the multipart field 'file'"],
      [{ video_id: 'bad id' }, true, 'video_id must match'],
      [{ batch_size: '0' }, true, "batch_size must be an integer from 1 to 1000 (got '0')"],
      [{ sample_fps: 'fast' }, true, 'sample_fps must be a number above 0'],
      [{ stages: 'EXTRACT,PAINT' }, true, "stages must list some of EXTRACT, DETECT, OCR, CHECKS, RENDER (got 'PAINT')"],
    ];
    for (const [fields, withFile, message] of cases) {
      const response = await given.app.inject({ method: 'POST', url: '/v1/uploads', ...form(fields)(withFile) });
      expect(response.statusCode, message).toBe(400);
      expect(response.json()).toEqual({ error: 'VALIDATION_FAILED', message: expect.stringContaining(message) });
    }
    expect(given.publisher.published).toEqual([]);
  });
});

describe('uploads route: the file reaches object storage through the port', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('streams the file to uploads/<video_id>/<name> and publishes one video-ingested pointing at it', async () => {
    given = await inMemoryApp();
    const response = await given.app.inject({ method: 'POST', url: '/v1/uploads', ...form({ video_id: 'game-7', batch_size: '10' })(true) });
    expect(response.statusCode).toBe(202);
    const stored = given.objectStore.objects.get(`${given.config.s3.buckets.uploads}/uploads/game-7/a.mp4`);
    expect(stored?.body.toString()).toBe('xx');
    expect(given.publisher.published.map((o) => [o.event, o.key])).toEqual([['video-ingested', 'game-7']]);
    expect(response.json()).toMatchObject({ video_id: 'game-7', source_uri: `s3://${given.config.s3.buckets.uploads}/uploads/game-7/a.mp4` });
  });

  it('refuses a file over the upload limit with 413 and leaves no object behind', async () => {
    given = await inMemoryApp({ FILMROOM_API_UPLOAD_LIMIT: '1024' });
    const response = await given.app.inject({ method: 'POST', url: '/v1/uploads', ...form({ video_id: 'big' })(true, 'x'.repeat(4096)) });
    expect(response.statusCode).toBe(413);
    expect([...given.objectStore.objects.keys()]).toEqual([]);
    expect(given.publisher.published).toEqual([]);
  });
});
