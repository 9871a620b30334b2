import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

/** A multipart body with text fields and no file: these requests are refused before anything reaches object storage. */
const form = (fields: Record<string, string>) => {
  const boundary = 'filmroomboundary';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  const file = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.mp4"\r\ncontent-type: video/mp4\r\n\r\nxx\r\n`;
  return (withFile: boolean) => ({
    payload: `${parts.join('')}${withFile ? file : ''}--${boundary}--\r\n`,
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
