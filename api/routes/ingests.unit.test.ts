import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

describe('POST /v1/ingests (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  const put = (key: string, body = 'video') => given.objectStore.put({ bucket: 'games', key }, Buffer.from(body), 'video/mp4');
  const post = (payload: object, key = keys.uploader) => given.app.inject({ method: 'POST', url: '/v1/ingests', headers: bearer(key), payload });

  it('answers 200 with one result per source and a summary, whatever each outcome; a second run skips them all', async () => {
    given = await inMemoryApp();
    await put('2024/01/a.tar');
    await put('2024/01/b.mp4');
    const body = {
      sources: ['s3://games/2024/01/a.tar', 's3://games/2024/01/gone.mp4', 's3://games/2024/01/a.tar', 's3://games/2024/01/b.mp4'],
      options: { batch_size: 10 },
    };
    const response = await post(body);
    expect(response.statusCode).toBe(200);
    const answer = response.json();
    expect(answer.summary).toEqual({ ingested: 2, skipped: 1, refused: 1 });
    expect(answer.results.map((r: { item: string; outcome: string }) => [r.item, r.outcome])).toEqual([
      ['sources[0]', 'ingested'],
      ['sources[1]', 'refused'],
      ['sources[2]', 'skipped'],
      ['sources[3]', 'ingested'],
    ]);
    expect(answer.results[0]).toMatchObject({
      video_id: expect.stringMatching(/^2024\.01\.a-[0-9a-f]{10}$/),
      status_url: expect.stringMatching(/^\/v1\/videos\/2024\.01\.a-/),
    });
    expect(answer.results[1]).toMatchObject({ reason: 'no such object' });
    expect(given.publisher.of('video-ingested').map((e) => e.value.options.batch_size)).toEqual([10, 10]);
    expect((await post(body)).json().summary).toEqual({ ingested: 0, skipped: 3, refused: 1 });
  });

  it('takes a prefix instead, with an operator key too', async () => {
    given = await inMemoryApp();
    await put('2024/01/a.tar');
    await put('2024/02/b.tar');
    await put('2024/01/notes.json');
    const response = await post({ prefix: 's3://games/2024/01/' }, keys.operator);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      summary: { ingested: 1, skipped: 0, refused: 0 },
      results: [{ item: '2024/01/a.tar', source: 's3://games/2024/01/a.tar' }],
    });
  });

  it('accepts object-store sources only, refuses both or neither of sources and prefix, bad options: 400, nothing published', async () => {
    given = await inMemoryApp();
    await put('a.mp4');
    for (const body of [
      { sources: ['file:///etc/passwd'] },
      { sources: ['/etc/passwd'] },
      { sources: ['http://host/x.mp4'] },
      { sources: [] },
      { prefix: 's3://games/no-slash' },
      { sources: ['s3://games/a.mp4'], prefix: 's3://games/' },
      {},
      { sources: ['s3://games/a.mp4'], options: { batch_size: 0 } },
      { sources: ['s3://games/a.mp4'], options: { stages: ['OCR'] } },
      { sources: ['s3://games/a.mp4'], extra: 1 },
    ]) {
      const response = await post(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
    }
    expect(given.publisher.published).toEqual([]);
  });

  it('is for uploaders and operators: 401 without a key, 403 for a reader', async () => {
    given = await inMemoryApp();
    expect((await given.app.inject({ method: 'POST', url: '/v1/ingests', payload: { sources: ['s3://games/a.mp4'] } })).statusCode).toBe(401);
    expect((await post({ sources: ['s3://games/a.mp4'] }, keys.reader)).statusCode).toBe(403);
  });
});
