import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

/** A multipart body of parts in the order given: [name, value] text fields, and 'FILE' for the file. */
const orderedForm = (parts: ([string, string] | 'FILE')[]) => {
  const boundary = 'filmroomboundary';
  const body = parts
    .map((part) =>
      part === 'FILE'
        ? `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.mp4"\r\ncontent-type: video/mp4\r\n\r\nxx\r\n`
        : `--${boundary}\r\ncontent-disposition: form-data; name="${part[0]}"\r\n\r\n${part[1]}\r\n`,
    )
    .join('');
  return { payload: `${body}--${boundary}--\r\n`, headers: { ...bearer(keys.uploader), 'content-type': `multipart/form-data; boundary=${boundary}` } };
};

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
      [{ detectors: 'objects,poses' }, true, "detectors must list some of objects, text, faces (got 'poses')"],
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

  it('answers 409 CONFLICT for a video whose deletion is under way here, before storing anything', async () => {
    given = await inMemoryApp();
    expect((await given.app.inject({ method: 'DELETE', url: '/v1/videos/game-7', headers: bearer(keys.operator) })).statusCode).toBe(202);
    const published = given.publisher.published.length;
    const response = await given.app.inject({ method: 'POST', url: '/v1/uploads', ...form({ video_id: 'game-7' })(true) });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: 'CONFLICT', message: expect.stringContaining('video game-7 is being deleted') });
    expect([...given.objectStore.objects.keys()]).toEqual([]);
    expect(given.publisher.published).toHaveLength(published);
  });

  it('refuses a file over the upload limit with 413 and leaves no object behind', async () => {
    given = await inMemoryApp({ FILMROOM_API_UPLOAD_LIMIT: '1024' });
    const response = await given.app.inject({ method: 'POST', url: '/v1/uploads', ...form({ video_id: 'big' })(true, 'x'.repeat(4096)) });
    expect(response.statusCode).toBe(413);
    expect([...given.objectStore.objects.keys()]).toEqual([]);
    expect(given.publisher.published).toEqual([]);
  });
});

describe('uploads route: fields in any order, session metadata, unknown fields refused', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('uses fields that come after the file, and takes repeated meta key=value fields as session metadata', async () => {
    given = await inMemoryApp();
    const response = await given.app.inject({
      method: 'POST',
      url: '/v1/uploads',
      ...orderedForm([['meta', 'court=3'], 'FILE', ['video_id', 'late-id'], ['batch_size', '7'], ['meta', 'venue=Hall A=B']]),
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ video_id: 'late-id', status_url: '/v1/videos/late-id' });
    const [event] = given.publisher.published;
    expect(event?.event).toBe('video-ingested');
    expect(event?.value).toMatchObject({ video_id: 'late-id', session_metadata: { court: '3', venue: 'Hall A=B' }, options: { batch_size: 7 } });
  });

  it('refuses an unknown or repeated field by name (400), before or after the file, and leaves no object behind', async () => {
    given = await inMemoryApp();
    const cases: [([string, string] | 'FILE')[], string][] = [
      [[['colour', 'red'], 'FILE'], 'body/colour: unknown form field'],
      [['FILE', ['colour', 'red']], 'body/colour: unknown form field'],
      [['FILE', ['batch_size', '0']], "batch_size must be an integer from 1 to 1000 (got '0')"],
      [['FILE', ['video_id', '../bad']], 'body/video_id must match'],
      [[['video_id', 'a'], ['video_id', 'b'], 'FILE'], 'body/video_id: given twice'],
      [['FILE', ['meta', 'no-equals']], 'body/meta must be key=value'],
      [[['video_id', 'v']], "body/file: no file: the video goes in the multipart field 'file'"],
    ];
    for (const [parts, message] of cases) {
      const response = await given.app.inject({ method: 'POST', url: '/v1/uploads', ...orderedForm(parts) });
      expect(response.statusCode, message).toBe(400);
      expect(response.json()).toEqual({ error: 'VALIDATION_FAILED', message: expect.stringContaining(message) });
    }
    expect([...given.objectStore.objects.keys()]).toEqual([]);
    expect(given.publisher.published).toEqual([]);
  });

  it('documents the multipart body and every answer in the OpenAPI document', async () => {
    given = await inMemoryApp();
    const spec = (await given.app.inject({ url: '/docs/json' })).json();
    const operation = spec.paths['/v1/uploads'].post;
    const form = operation.requestBody.content['multipart/form-data'].schema;
    expect(form.required).toEqual(['file']);
    expect(Object.keys(form.properties)).toEqual(['file', 'video_id', 'batch_size', 'sample_fps', 'sample_stride', 'stages', 'detectors', 'transform', 'meta']);
    expect(Object.keys(operation.responses).sort()).toEqual(['202', '400', '401', '403', '409', '413', '415', '422']);
  });
});
