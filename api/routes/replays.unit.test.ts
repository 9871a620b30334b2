import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayStatus } from '../../projections/read-model/port.ts';
import { replayIdFor } from '../../processors/replay/index.ts';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

const status: ReplayStatus = {
  replay_id: 'r-1',
  stage: 'checks',
  check_version: 'v2',
  model: null,
  from: 'earliest',
  prefix: null,
  state: 'running',
  batches_done: 3,
  batches_total: 6,
  progress_percent: 50,
  requested_by: 'op',
  requested_at: '2026-01-01 00:00:00',
  completed_at: null,
  error: null,
};

describe('replays routes (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('GET a replay answers its status for operators only; 404 NOT_FOUND for an unknown id', async () => {
    given = await inMemoryApp();
    given.readModel.replays.set('r-1', status);
    const response = await given.app.inject({ url: '/v1/replays/r-1', headers: bearer(keys.operator) });
    expect(response.json()).toEqual(status);
    expect((await given.app.inject({ url: '/v1/replays/r-1', headers: bearer(keys.reader) })).statusCode).toBe(403);
    const missing = await given.app.inject({ url: '/v1/replays/r-2', headers: bearer(keys.operator) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('NOT_FOUND');
  });

  it('POST a replay with a known idempotency key is a duplicate and publishes nothing', async () => {
    given = await inMemoryApp();
    const id = replayIdFor('nightly-1');
    given.readModel.replays.set(id, { ...status, replay_id: id });
    const response = await given.app.inject({
      method: 'POST',
      url: '/v1/replays',
      headers: { ...bearer(keys.operator), 'idempotency-key': 'nightly-1' },
      payload: { check_version: 'v2' },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ replay_id: id, status_url: `/v1/replays/${id}`, duplicate: true });
    expect(given.publisher.published).toEqual([]);
  });

  it('POST a replay with an unknown check version names the field', async () => {
    given = await inMemoryApp();
    const response = await given.app.inject({ method: 'POST', url: '/v1/replays', headers: bearer(keys.operator), payload: { check_version: 'v99' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain('body/check_version must be equal to one of the allowed values');
  });

  it('POST a detect or ocr replay publishes its model and the end offsets of its input topic; an unknown model or setting is 422 naming body/model, a body without what its stage needs 400', async () => {
    given = await inMemoryApp();
    const post = (payload: object) => given.app.inject({ method: 'POST', url: '/v1/replays', headers: bearer(keys.operator), payload });
    const created = await post({ stage: 'detect', model: 'nanodet-416@s0.5', prefix: 'game-' });
    expect(created.statusCode).toBe(202);
    expect(given.publisher.published.map((o) => o.value)).toEqual([
      expect.objectContaining({ stage: 'detect', model: 'nanodet-416@s0.5', check_version: '', video_prefix: 'game-' }),
    ]);
    const queued = await given.app.inject({ url: created.json().status_url, headers: bearer(keys.operator) });
    expect(queued.json()).toMatchObject({ stage: 'detect', model: 'nanodet-416@s0.5', state: 'queued' });
    // A model the pipeline lacks is unprocessable (422); a body that breaks the contract is malformed (400).
    for (const [payload, status, message] of [
      [{ stage: 'detect', model: 'rfdetr@s0.5' }, 422, "body/model: unknown detect model 'rfdetr'"],
      [{ stage: 'detect', model: 'nanodet-416@i320' }, 422, 'body/model: nanodet-416 (a nanodet model) takes s, n settings, not i'],
      [{ stage: 'ocr', model: 'ppocr-rec-v4@c2' }, 422, 'body/model: c2 is out of range'],
      [
        { stage: 'ocr' },
        400,
        'body needs check_version (and no model) for a checks replay (stage checks, the default), model (and no check_version) for a detect or ocr replay',
      ],
      [
        { stage: 'checks' },
        400,
        'body needs check_version (and no model) for a checks replay (stage checks, the default), model (and no check_version) for a detect or ocr replay',
      ],
    ] as const) {
      const refused = await post(payload);
      expect(refused.statusCode, message).toBe(status);
      expect(refused.json().message).toContain(message);
    }
    expect(given.publisher.published).toHaveLength(1);
  });
});
