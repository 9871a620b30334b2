import { afterEach, describe, expect, it } from 'vitest';
import { replayIdFor } from '../../processors/replay/index.ts';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

/** Idempotency-Key as in the IETF draft: the same key and request get the first answer again; another request with the key is 422. */
describe('Idempotency-Key (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  const replay = (payload: object, key?: string) =>
    given.app.inject({
      method: 'POST',
      url: '/v1/replays',
      headers: { ...bearer(keys.operator), ...(key ? { 'idempotency-key': key } : {}) },
      payload,
    });

  it('POST /v1/replays twice with one key and one body: the same replay, duplicate on the repeat, one event (before any projection)', async () => {
    given = await inMemoryApp();
    const first = await replay({ check_version: 'v2', prefix: 'game-' }, 'nightly-7');
    const second = await replay({ prefix: 'game-', check_version: 'v2' }, 'nightly-7');
    const id = replayIdFor('nightly-7');
    expect(first.json()).toEqual({ replay_id: id, status_url: `/v1/replays/${id}`, duplicate: false });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual({ replay_id: id, status_url: `/v1/replays/${id}`, duplicate: true });
    expect(given.publisher.published.map((o) => o.event)).toEqual(['replay-requested']);
  });

  it('POST /v1/replays with a used key and another body is 422 naming the header, and publishes nothing more', async () => {
    given = await inMemoryApp();
    await replay({ check_version: 'v2' }, 'nightly-8');
    const other = await replay({ check_version: 'v1' }, 'nightly-8');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toEqual({ error: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringContaining('header Idempotency-Key') });
    expect(given.publisher.published).toHaveLength(1);
  });

  it('POST /v1/replays with a key the projections know (another instance, a restart): duplicate when the request matches, 422 when not', async () => {
    given = await inMemoryApp();
    const id = replayIdFor('weekly-1');
    given.readModel.replays.set(id, {
      replay_id: id,
      stage: 'checks',
      check_version: 'v2',
      model: null,
      from: '2026-01-01T00:00:00.000Z',
      prefix: null,
      state: 'completed',
      batches_done: 6,
      batches_total: 6,
      progress_percent: 100,
      requested_by: 'op',
      requested_at: '2026-01-01 00:00:00',
      completed_at: '2026-01-01 00:01:00',
      error: null,
    });
    expect((await replay({ check_version: 'v2', from: '2026-01-01T00:00:00.400Z' }, 'weekly-1')).json().duplicate).toBe(true);
    expect((await replay({ check_version: 'v2' }, 'weekly-1')).statusCode).toBe(422);
    expect(given.publisher.published).toEqual([]);
  });

  it('a replay just requested answers its own status URL with queued before the projections have it', async () => {
    given = await inMemoryApp();
    given.eventLog.ends.set('batch-extracted', [
      { partition: 0, offset: 4 },
      { partition: 1, offset: 2 },
    ]);
    const created = (await replay({ check_version: 'v2' })).json();
    const status = await given.app.inject({ url: created.status_url, headers: bearer(keys.operator) });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      replay_id: created.replay_id,
      check_version: 'v2',
      from: 'earliest',
      state: 'queued',
      batches_done: 0,
      batches_total: 6,
    });
  });

  it('POST /v1/videos: the same key and body answer the same video and event, duplicate on the repeat; another body is 422', async () => {
    given = await inMemoryApp();
    const post = (payload: object, key: string) =>
      given.app.inject({ method: 'POST', url: '/v1/videos', headers: { ...bearer(keys.uploader), 'idempotency-key': key }, payload });
    const first = (await post({ source_uri: 's3://b/game.mp4', options: { batch_size: 10 } }, 'k1')).json();
    const second = (await post({ options: { batch_size: 10 }, source_uri: 's3://b/game.mp4' }, 'k1')).json();
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
    const other = await post({ source_uri: 's3://b/other.mp4' }, 'k1');
    expect(other.statusCode).toBe(422);
    expect(other.json().message).toContain('Idempotency-Key');
    expect(given.publisher.published).toHaveLength(1);
  });

  it('POST /v1/videos twice in a row without a key: the repeat is a duplicate even before the projections know the video', async () => {
    given = await inMemoryApp();
    given.readModel.currentRuns = async () => new Map(); // the projector has not caught up
    const post = () => given.app.inject({ method: 'POST', url: '/v1/videos', headers: bearer(keys.uploader), payload: { source_uri: 's3://b/again.mp4' } });
    const [first, second] = [(await post()).json(), (await post()).json()];
    expect([first.duplicate, second.duplicate]).toEqual([false, true]);
    expect(second.video_id).toBe(first.video_id);
    expect(given.publisher.published).toHaveLength(1);
  });
});
