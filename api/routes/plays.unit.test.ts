import { afterEach, describe, expect, it } from 'vitest';
import type { ClipRow } from '../../projections/read-model/port.ts';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

const cameras = ['FAR_LEFT', 'NEAR_RIGHT', 'FAR_RIGHT', 'NEAR_LEFT'].map((camera) => ({
  camera,
  videoId: `g1-${camera.toLowerCase()}`,
  sourceUri: `s3://b/${camera}.mp4`,
  durationS: 600,
}));
const clip = (id: string, status: string): ClipRow => ({
  clip_id: id,
  play_id: 'p1',
  play_angle: 'LEFT',
  camera: 'FAR_LEFT',
  video_id: 'g1-far_left',
  start_s: 1,
  end_s: 5,
  mode: 'REENCODE',
  status,
  clip_uri: status === 'OK' ? `s3://exports/${id}.mp4` : '',
  bytes: status === 'OK' ? 1000 : 0,
  error_code: status === 'FAILED' ? 'OUT_OF_RANGE' : '',
  message: '',
});

describe('plays routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('POST plays imports the valid rows: plays-imported plus one clips-requested per camera video, the invalid rows listed', async () => {
    given = await inMemoryApp();
    given.readModel.games.set('g1', { videos: cameras });
    const response = await given.app.inject({
      method: 'POST',
      url: '/v1/games/g1/plays',
      headers: bearer(keys.uploader),
      payload: [
        { play_id: 'p1', angle: 'LEFT', start_s: 1, end_s: 5, play_type: 'dunk', annotation: 'a dunk' },
        { play_id: 'p2', angle: 'UP', start_s: 1, end_s: 5 },
      ],
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ game_id: 'g1', accepted: 1, rejected: 1, clips: 2, errors: [{ play_id: 'p2', field: 'angle' }] });
    expect(given.publisher.published.map((o) => o.event)).toEqual(['plays-imported', 'clips-requested', 'clips-requested']);
    expect(response.json().plays_event_id).toBe(given.publisher.of('plays-imported')[0]!.value.event_id);
  });

  it('POST plays with no valid row is 422 UNPROCESSABLE with every row error, and publishes nothing', async () => {
    given = await inMemoryApp();
    given.readModel.games.set('g1', { videos: cameras });
    const response = await given.app.inject({
      method: 'POST',
      url: '/v1/games/g1/plays',
      headers: { ...bearer(keys.uploader), 'content-type': 'text/csv' },
      payload: 'play_id,angle,start_s,end_s\np1,LEFT,9,2\n',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: 'UNPROCESSABLE',
      message: expect.stringMatching(/^no valid play among 1 row\(s\): /),
      errors: [{ play_id: 'p1', field: expect.any(String), message: expect.any(String) }],
    });
    expect(given.publisher.published).toEqual([]);
  });

  it('POST plays refuses unknown fields by name: a JSON row key (400) or a CSV column (422), and publishes nothing', async () => {
    given = await inMemoryApp();
    given.readModel.games.set('g1', { videos: cameras });
    const json = await given.app.inject({
      method: 'POST',
      url: '/v1/games/g1/plays',
      headers: bearer(keys.uploader),
      payload: [{ play_id: 'p1', angle: 'LEFT', start_s: 1, end_s: 5, colour: 'red' }],
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().message).toContain('body/0 must NOT have additional properties: colour');
    const csv = await given.app.inject({
      method: 'POST',
      url: '/v1/games/g1/plays',
      headers: { ...bearer(keys.uploader), 'content-type': 'text/csv' },
      payload: 'play_id,angle,start_s,end_s,colour\np1,LEFT,1,5,red\n',
    });
    expect(csv.statusCode).toBe(422);
    expect(csv.json()).toEqual({ error: 'UNPROCESSABLE', message: expect.stringContaining('body: unknown CSV column(s) colour') });
    expect(given.publisher.published).toEqual([]);
  });

  it('GET clips answers the plays, clips by status and the latest dataset; 404 for a game without plays', async () => {
    given = await inMemoryApp();
    const dataset = {
      format: 'VERTEX',
      training_uri: 's3://e/t.jsonl',
      validation_uri: 's3://e/v.jsonl',
      training_examples: 8,
      validation_examples: 2,
      occurred_at: '2026-01-01 00:00:00',
    };
    given.readModel.games.set('g1', {
      plays: [{ play_id: 'p1', angle: 'LEFT', start_s: 1, end_s: 5, play_type: null, annotation: '' }],
      clips: [clip('c1', 'OK'), clip('c2', 'PENDING'), clip('c3', 'FAILED')],
      dataset,
    });
    const response = await given.app.inject({ url: '/v1/games/g1/clips', headers: bearer(keys.reader) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ game_id: 'g1', plays: 1, counts: { pending: 1, ok: 1, failed: 1 }, dataset });
    expect(response.json().clips.map((c: { clip_id: string }) => c.clip_id)).toEqual(['c1', 'c2', 'c3']);
    expect(response.json().clips.map((c: { url?: string }) => c.url)).toEqual(['/v1/games/g1/clips/c1', undefined, undefined]);
    expect(response.json().play_list).toEqual([{ play_id: 'p1', angle: 'LEFT', start_s: 1, end_s: 5, play_type: null, annotation: '' }]);
    const missing = await given.app.inject({ url: '/v1/games/g2/clips', headers: bearer(keys.reader) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'NOT_FOUND', message: 'no plays for game g2' });
  });

  it('GET a clip serves the bytes of a cut clip; 404 for one not cut (pending, failed) or unknown', async () => {
    given = await inMemoryApp();
    given.readModel.games.set('g1', { clips: [clip('c1', 'OK'), clip('c2', 'PENDING')] });
    await given.objectStore.put({ bucket: 'exports', key: 'c1.mp4' }, Buffer.from('mp4 bytes'), 'video/mp4');
    const ok = await given.app.inject({ url: '/v1/games/g1/clips/c1', headers: bearer(keys.reader) });
    expect([ok.statusCode, ok.headers['content-type'], ok.body]).toEqual([200, 'video/mp4', 'mp4 bytes']);
    for (const url of ['/v1/games/g1/clips/c2', '/v1/games/g1/clips/c9', '/v1/games/g2/clips/c1'])
      expect((await given.app.inject({ url, headers: bearer(keys.reader) })).statusCode, url).toBe(404);
    expect((await given.app.inject({ url: '/v1/games/g1/clips/c1', headers: bearer(keys.uploader) })).statusCode).toBe(403);
  });
});
