import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

describe('deletion routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('DELETE a video answers 202 accepted and publishes video-deleted keyed by the video, unknown ids included', async () => {
    given = await inMemoryApp();
    const response = await given.app.inject({ method: 'DELETE', url: '/v1/videos/never-seen', headers: bearer(keys.operator), payload: { reason: 'gdpr' } });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({ video_id: 'never-seen', status: 'accepted', deletion_url: '/v1/videos/never-seen/deletion' });
    expect(given.publisher.published).toHaveLength(1);
    expect(given.publisher.published[0]).toMatchObject({
      event: 'video-deleted',
      key: 'never-seen',
      value: { video_id: 'never-seen', event_id: body.event_id, reason: 'gdpr', requested_by: expect.any(String) },
    });
  });

  it('DELETE without a body is accepted too', async () => {
    given = await inMemoryApp();
    const response = await given.app.inject({ method: 'DELETE', url: '/v1/videos/v1', headers: bearer(keys.operator) });
    expect(response.statusCode).toBe(202);
  });

  it('refuses readers and uploaders with 403 and publishes nothing', async () => {
    given = await inMemoryApp();
    for (const key of [keys.reader, keys.uploader]) {
      expect((await given.app.inject({ method: 'DELETE', url: '/v1/videos/v1', headers: bearer(key) })).statusCode).toBe(403);
    }
    expect(given.publisher.published).toEqual([]);
  });

  it('refuses a malformed id with 400 naming it', async () => {
    given = await inMemoryApp();
    const response = await given.app.inject({ method: 'DELETE', url: '/v1/videos/-bad', headers: bearer(keys.operator) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED', message: expect.stringContaining('params/id must match pattern') });
    expect(given.publisher.published).toEqual([]);
  });

  it('GET the deletion answers the recorded result, and 404 before one is carried out', async () => {
    given = await inMemoryApp();
    expect((await given.app.inject({ url: '/v1/videos/v1/deletion', headers: bearer(keys.operator) })).statusCode).toBe(404);
    const row = {
      video_id: 'v1',
      deleted_event_id: 'e1',
      requested_at: '2026-01-01 00:00:00',
      requested_by: 'op',
      objects_removed: 3,
      objects_by_bucket: { 'filmroom-artifacts': 3 },
      rows_removed: 12,
      rows_by_table: { batches: 2, videos: 1, detections: 9 },
      purged_at: '2026-01-01 00:00:01',
    };
    given.readModel.deletions.push(row);
    const response = await given.app.inject({ url: '/v1/videos/v1/deletion', headers: bearer(keys.operator) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(row);
  });
});
