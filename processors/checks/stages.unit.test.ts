import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { processorMetrics } from '../../streams/metrics.ts';
import { InMemoryObjectStore } from '../../storage/in-memory-object-store.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { processRecord } from '../../streams/process-record.ts';
import { createChecksProcessor } from './index.ts';

describe('the checks processor routes by requested stages', () => {
  it('skips a batch of a video that did not ask for CHECKS, without reading its artifact', async () => {
    const objectStore = new InMemoryObjectStore();
    const definition = createChecksProcessor({ frameSource: createFrameSource({ objectStore, cacheBatches: 0 }), version: 'v1' });
    expect(definition.stages).toEqual(['CHECKS']);
    const registry = new Registry();
    const batch = { video_id: 'no-checks', batch_index: 0, artifact_uri: 's3://b/k.tar', stages: ['EXTRACT', 'DETECT'] };
    const outcome = await processRecord(
      {
        definition,
        serde: { decode: async () => batch as never, encode: () => Buffer.alloc(0) },
        config: { topics: { prefix: '' } as never, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1, factor: 2 } },
        metrics: processorMetrics(registry),
        log: createLogger('silent'),
        now: () => 0,
        signal: new AbortController().signal,
        send: async () => undefined,
      },
      { topic: 'filmroom.batch-extracted', partition: 0, offset: '0', key: 'no-checks' },
      Buffer.alloc(1),
    );
    expect(outcome).toEqual({ kind: 'skipped', messages: [] });
    expect(objectStore.requests.get).toBe(0);
    expect((await registry.getSingleMetric('filmroom_processor_skipped_total')?.get())?.values).toEqual([{ value: 1, labels: { processor: 'checks' } }]);
  });
});
