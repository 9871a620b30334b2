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

  it('remembers what it registered, as POST /v1/videos does: each ingested video reads queued at once, before the projections have it', async () => {
    given = await inMemoryApp();
    await put('2024/03/a.mp4');
    await put('2024/03/b.tar');
    const answer = (await post({ sources: ['s3://games/2024/03/a.mp4', 's3://games/2024/03/b.tar', 's3://games/2024/03/gone.mp4'] })).json();
    expect(answer.summary).toEqual({ ingested: 2, skipped: 0, refused: 1 });
    const published = new Map(given.publisher.of('video-ingested').map((e) => [e.value.video_id, e.value.run_id]));
    for (const { video_id, status_url } of answer.results.slice(0, 2)) {
      // The in-memory read model has no job status row: only what this instance remembers answers.
      const status = await given.app.inject({ url: status_url, headers: bearer(keys.reader) });
      expect(status.statusCode).toBe(200);
      expect(status.json()).toMatchObject({ video_id, run_id: published.get(video_id), state: 'queued' });
    }
    const refused = answer.results[2].video_id as string;
    expect((await given.app.inject({ url: `/v1/videos/${refused}`, headers: bearer(keys.reader) })).statusCode).toBe(404);
  });

  it('refuses, item by item, a video whose deletion is under way here, and ingests the others', async () => {
    given = await inMemoryApp();
    await put('2024/03/a.mp4');
    await put('2024/03/b.mp4');
    const videoId = (await post({ sources: ['s3://games/2024/03/a.mp4'] })).json().results[0].video_id as string;
    expect((await given.app.inject({ method: 'DELETE', url: `/v1/videos/${videoId}`, headers: bearer(keys.operator) })).statusCode).toBe(202);
    const answer = (await post({ sources: ['s3://games/2024/03/a.mp4', 's3://games/2024/03/b.mp4'] })).json();
    expect(answer.summary).toEqual({ ingested: 1, skipped: 0, refused: 1 });
    expect(answer.results[0]).toMatchObject({ outcome: 'refused', reason: expect.stringContaining(`video ${videoId} is being deleted`) });
    expect(answer.results[1]).toMatchObject({ outcome: 'ingested' });
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
