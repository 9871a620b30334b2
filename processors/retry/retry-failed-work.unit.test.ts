import { describe, expect, it } from 'vitest';
import { InMemoryEventPublisher } from '../../streams/event-publisher.ts';
import { retryFailedWork, retryLine, type CurrentIngestion, type FailedWork } from './retry-failed-work.ts';

const ingestion: CurrentIngestion = {
  video_id: 'v1',
  run_id: 'run-a',
  source_uri: 's3://uploads/v1.mp4',
  container: 'VIDEO',
  session_keys: ['game'],
  session_values: ['final'],
  sample_fps: null,
  sample_stride: null,
  batch_size: 10,
  stages: ['EXTRACT', 'DETECT', 'CHECKS'],
  detectors: ['objects', 'faces'],
  transform: '',
  uploader: 'ana',
};
const failed = (stage: string, batch: number | null, offset: number, payload = 'aW5wdXQ='): FailedWork => ({
  video_id: 'v1',
  run_id: 'run-a',
  stage,
  batch_index: batch,
  error_code: 'MODEL_FAILED',
  message: 'boom',
  occurred_at: '2026-12-02 00:00:00',
  source_topic: 'filmroom.batch-extracted',
  source_partition: 1,
  source_offset: String(offset),
  source_key: `v1/${batch}`,
  payload,
});
const ports = (publisher: InMemoryEventPublisher) => ({ publisher, fingerprint: async () => 'etag:fixed size:9', now: () => 1_800_000_000_000 });

describe('retrying failed work (in-memory ports)', () => {
  it('failed batches: records the retry, then sends each failed input again, once, to its own topic and key', async () => {
    const publisher = new InMemoryEventPublisher();
    const result = await retryFailedWork(ports(publisher), ingestion, [failed('detect', 2, 40), failed('checks', 2, 40), failed('detect', 5, 43)], {
      requestedBy: 'ops',
    });
    expect(result).toMatchObject({ mode: 'batches', runId: 'run-a', redriven: 2 });
    expect(publisher.redriven).toEqual([
      { topic: 'filmroom.batch-extracted', key: 'v1/2', value: Buffer.from('input') },
      { topic: 'filmroom.batch-extracted', key: 'v1/5', value: Buffer.from('input') },
    ]);
    expect(publisher.of('retry-requested').map((e) => e.value)).toEqual([
      expect.objectContaining({
        run_id: 'run-a',
        mode: 'BATCHES',
        requested_by: 'ops',
        work: [
          { stage: 'detect', batch_index: 2 },
          { stage: 'checks', batch_index: 2 },
          { stage: 'detect', batch_index: 5 },
        ],
      }),
    ]);
    expect(publisher.of('video-ingested')).toEqual([]);
    expect(retryLine(result)).toBe('v1: sent 2 failed input(s) of run run-a again (detect batch 2, checks batch 2, detect batch 5)');
  });

  it('a failed transform batch: its batch-extracted record again, like any later stage (the transform stage reads that topic)', async () => {
    const publisher = new InMemoryEventPublisher();
    const result = await retryFailedWork(ports(publisher), { ...ingestion, transform: 'model' }, [failed('transform', 2, 40)], { requestedBy: 'ops' });
    expect(result).toMatchObject({ mode: 'batches', runId: 'run-a', redriven: 1 });
    expect(publisher.redriven).toEqual([{ topic: 'filmroom.batch-extracted', key: 'v1/2', value: Buffer.from('input') }]);
    expect(publisher.of('retry-requested').map((e) => e.value.work)).toEqual([[{ stage: 'transform', batch_index: 2 }]]);
    expect(retryLine(result)).toBe('v1: sent 1 failed input(s) of run run-a again (transform batch 2)');
  });

  it('a failed extraction: the whole video again as a new run with the same source and options (detectors and transform too), superseding the failed one', async () => {
    const publisher = new InMemoryEventPublisher();
    const result = await retryFailedWork(ports(publisher), { ...ingestion, transform: 'model' }, [failed('extract', null, 7, '')], { requestedBy: 'ops' });
    const [ingested] = publisher.of('video-ingested');
    expect(result).toMatchObject({ mode: 'video', supersedes: 'run-a', runId: ingested!.value.run_id, redriven: 0 });
    expect(ingested!.value).toMatchObject({
      video_id: 'v1',
      source_uri: 's3://uploads/v1.mp4',
      source_fingerprint: 'etag:fixed size:9',
      session_metadata: { game: 'final' },
      options: { batch_size: 10, stages: ['EXTRACT', 'DETECT', 'CHECKS'], detectors: ['objects', 'faces'], transform: 'model' },
      uploader: 'ana',
    });
    expect(ingested!.value.run_id).not.toBe('run-a');
    expect(publisher.redriven).toEqual([]);
  });

  it('only the chosen stage, only the current run; nothing to do publishes nothing', async () => {
    const publisher = new InMemoryEventPublisher();
    const old = { ...failed('detect', 1, 3), run_id: 'run-old' };
    const result = await retryFailedWork(ports(publisher), ingestion, [old, failed('checks', 4, 9)], { stage: 'detect', requestedBy: 'ops' });
    expect(result).toMatchObject({ mode: 'nothing', failures: [] });
    expect(publisher.published).toEqual([]);
    expect(publisher.redriven).toEqual([]);
  });
});
