import { afterEach, describe, expect, it } from 'vitest';
import { bearer, inMemoryApp, inMemoryKeys as keys, type InMemoryApp } from '../in-memory-app.ts';

describe('POST /v1/videos/:id/retry (in-memory ports)', () => {
  let given: InMemoryApp;
  afterEach(() => given?.app.close());

  it('retries a failed transform batch by its stage: its batch-extracted record sent again, the retry recorded first', async () => {
    given = await inMemoryApp();
    given.readModel.ingestions.set('v1', {
      video_id: 'v1',
      run_id: 'run-a',
      source_uri: 's3://uploads/v1.mp4',
      container: 'VIDEO',
      session_keys: [],
      session_values: [],
      sample_fps: 5,
      sample_stride: null,
      batch_size: 10,
      stages: ['EXTRACT', 'CHECKS'],
      detectors: ['objects', 'text'],
      transform: 'model',
      uploader: 'ana',
    });
    given.readModel.failures.push({
      video_id: 'v1',
      run_id: 'run-a',
      stage: 'transform',
      batch_index: 2,
      error_code: 'RETRIES_EXHAUSTED',
      message: 'transform script model.py exited with code 1: RuntimeError: CUDA out of memory',
      occurred_at: '2026-12-02 00:00:00',
      source_topic: 'filmroom.batch-extracted',
      source_partition: 5,
      source_offset: '0',
      source_key: 'v1/2',
      payload: Buffer.from('batch 2').toString('base64'),
    });
    const response = await given.app.inject({ method: 'POST', url: '/v1/videos/v1/retry', headers: bearer(keys.operator), payload: { stage: 'transform' } });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ video_id: 'v1', mode: 'batches', run_id: 'run-a', redriven: 1, retried: [{ stage: 'transform', batch_index: 2 }] });
    expect(given.publisher.redriven).toEqual([{ topic: 'filmroom.batch-extracted', key: 'v1/2', value: Buffer.from('batch 2') }]);
    expect(given.publisher.of('retry-requested').map((e) => e.value.work)).toEqual([[{ stage: 'transform', batch_index: 2 }]]);
  });
});
