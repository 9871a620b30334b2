import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FilmroomError } from '../common/errors.ts';
import { createLogger } from '../common/logger.ts';
import type { Output } from '../schemas/envelope.ts';
import type { AnyEventName, ProcessingFailed } from '../schemas/index.ts';
import { processorMetrics } from './metrics.ts';
import { processRecord, type ProcessRecordDeps, type ToSend } from './process-record.ts';
import { defineProcessor, type HandlerContext } from './processor.ts';

const source = { topic: 't.batch-extracted', partition: 3, offset: '41', key: 'video-1' };
const batch = (stages: string[]) => Buffer.from(JSON.stringify({ video_id: 'video-1', batch_index: 7, stages }));

/** An in-memory serde: records are JSON; `decodeErrors` are thrown by the first decodes, in order. */
function fakeSerde(decodeErrors: unknown[] = []) {
  const encoded: { event: AnyEventName; value: unknown }[] = [];
  return {
    encoded,
    decode: async (_event: AnyEventName, value: Buffer | null) => {
      const error = decodeErrors.shift();
      if (error) throw error;
      if (!value || value[0] !== 0x7b) throw new FilmroomError('MALFORMED_EVENT', 'not JSON');
      return JSON.parse(value.toString()) as never;
    },
    encode: (event: AnyEventName, value: unknown) => {
      encoded.push({ event, value });
      return Buffer.from(event);
    },
  };
}

type Handle = (event: { video_id: string; stages: string[] }, context: HandlerContext<'batch-detected'>) => Promise<Output<'batch-detected'>[]>;

function setup(handle: Handle, options: { stages?: ('CHECKS' | 'DETECT')[]; decodeErrors?: unknown[]; signal?: AbortSignal } = {}) {
  const serde = fakeSerde(options.decodeErrors);
  const registry = new Registry();
  const sent: ToSend[] = [];
  const calls: number[] = [];
  const definition = defineProcessor({
    name: 'fake',
    version: '1.0.0',
    input: 'batch-extracted',
    outputs: ['batch-detected'],
    ...(options.stages ? { stages: options.stages } : {}),
    handle: async (event, context) => {
      calls.push(context.attempt);
      return handle(event as never, context);
    },
  });
  const deps: ProcessRecordDeps<'batch-extracted', 'batch-detected'> = {
    definition,
    serde,
    config: { topics: { prefix: 't.' } as never, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2, factor: 2 } },
    metrics: processorMetrics(registry),
    log: createLogger('silent'),
    now: () => 1_000,
    signal: options.signal ?? new AbortController().signal,
    send: async (messages) => void sent.push(...messages),
  };
  const count = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
  return { deps, serde, sent, calls, count };
}

const detected = (key: string) => ({ event: 'batch-detected' as const, key, value: { video_id: key } as never });
const deadLetterOf = (serde: ReturnType<typeof fakeSerde>) => serde.encoded.find((e) => e.event === 'processing-failed')?.value as ProcessingFailed;

describe('processRecord', () => {
  it('decodes, handles and encodes the outputs for their topics', async () => {
    const { deps, serde, count } = setup(async (event) => [detected(event.video_id)]);
    const outcome = await processRecord(deps, source, batch(['DETECT']));
    expect(outcome).toEqual({ kind: 'processed', messages: [{ topic: 't.filmroom.batch-detected', key: 'video-1', value: Buffer.from('batch-detected') }] });
    expect(serde.encoded).toEqual([{ event: 'batch-detected', value: { video_id: 'video-1' } }]);
    expect(await count('filmroom_processor_consumed_total')).toBe(1);
  });

  it('skips an event whose stages do not ask for the processor: no handler call, nothing to send, counted', async () => {
    const { deps, calls, count } = setup(async () => [detected('x')], { stages: ['CHECKS'] });
    expect(await processRecord(deps, source, batch(['EXTRACT', 'DETECT']))).toEqual({ kind: 'skipped', messages: [] });
    expect(calls).toEqual([]);
    expect(await count('filmroom_processor_skipped_total')).toBe(1);
    expect((await processRecord(deps, source, batch(['EXTRACT', 'CHECKS']))).kind).toBe('processed');
    expect(calls).toEqual([1]);
  });

  it('waits out a registry outage while decoding, then processes the record', async () => {
    const outage = () => new FilmroomError('SERVICE_UNAVAILABLE', 'registry down');
    const { deps } = setup(async () => [detected('x')], { decodeErrors: [outage(), outage(), outage(), outage()] });
    expect((await processRecord(deps, source, batch([]))).kind).toBe('processed');
  });

  it('dead-letters an undecodable record with its coordinates and bytes, attempts 0', async () => {
    const { deps, serde, calls } = setup(async () => []);
    const outcome = await processRecord(deps, source, Buffer.from('not json'));
    expect(outcome).toEqual({
      kind: 'dead-lettered',
      messages: [{ topic: 't.filmroom.dead-letter', key: 'video-1', value: Buffer.from('processing-failed') }],
    });
    expect(calls).toEqual([]);
    expect(deadLetterOf(serde)).toMatchObject({
      stage: 'fake',
      error_class: 'PERMANENT',
      error_code: 'MALFORMED_EVENT',
      attempts: 0,
      source: { topic: source.topic, partition: 3, offset: 41, key: 'video-1' },
      payload: Buffer.from('not json'),
    });
  });

  it('retries a transient handler error, then dead-letters it as exhausted with the record in the error context', async () => {
    const error = new FilmroomError('SERVICE_UNAVAILABLE', 'model down');
    const { deps, serde, calls, count } = setup(async () => {
      throw error;
    });
    expect((await processRecord(deps, source, batch(['DETECT']))).kind).toBe('dead-lettered');
    expect(calls).toEqual([1, 2, 3]);
    expect(await count('filmroom_processor_retried_total')).toBe(2);
    expect(deadLetterOf(serde)).toMatchObject({
      error_class: 'TRANSIENT_EXHAUSTED',
      error_code: 'SERVICE_UNAVAILABLE',
      attempts: 3,
      video_id: 'video-1',
      batch_index: 7,
    });
    expect(error.context).toEqual({});
  });

  it('waits out an object store it cannot reach without using up attempts, then emits the result', async () => {
    let failures = 6;
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' });
    const { deps, calls } = setup(async (event) => {
      if (failures-- > 0) throw new FilmroomError('SERVICE_UNAVAILABLE', 'object store: GET failed', { cause: refused });
      return [detected(event.video_id)];
    });
    expect((await processRecord(deps, source, batch(['DETECT']))).kind).toBe('processed');
    expect(calls).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('announces each retry of a transient error as work-retrying (keyed like the input, one id per attempt), then emits the result', async () => {
    let failures = 2;
    const { deps, serde, sent } = setup(async (event) => {
      if (failures-- > 0) throw new FilmroomError('SERVICE_UNAVAILABLE', 's3 down');
      return [detected(event.video_id)];
    });
    const outcome = await processRecord(deps, source, batch(['DETECT']));
    expect(outcome).toMatchObject({ kind: 'processed', messages: [{ topic: 't.filmroom.batch-detected', key: 'video-1' }] });
    expect(sent.map((m) => [m.topic, m.key])).toEqual([
      ['t.filmroom.work-retrying', 'video-1'],
      ['t.filmroom.work-retrying', 'video-1'],
    ]);
    const notices = serde.encoded.filter((e) => e.event === 'work-retrying').map((e) => e.value as Record<string, unknown>);
    expect(notices).toMatchObject([
      { stage: 'fake', video_id: 'video-1', batch_index: 7, attempt: 1, max_attempts: 3, error_code: 'SERVICE_UNAVAILABLE', message: 's3 down' },
      { attempt: 2 },
    ]);
    expect(notices[0]!.retry_at).toBeGreaterThanOrEqual(1_000);
    expect(new Set(notices.map((n) => n.event_id)).size).toBe(2);
  });

  it('dead-letters a permanent handler error at once and fills its context with topic, partition, offset, video and batch', async () => {
    const error = new FilmroomError('HANDLER_FAILED', 'cannot');
    const { deps, serde, calls } = setup(async () => {
      throw error;
    });
    await processRecord(deps, source, batch(['DETECT']));
    expect(calls).toEqual([1]);
    expect(deadLetterOf(serde)).toMatchObject({ error_class: 'PERMANENT', error_code: 'HANDLER_FAILED', attempts: 1, message: 'cannot' });
    expect(error.context).toEqual({ topic: source.topic, partition: 3, offset: '41', video_id: 'video-1', batch_index: 7 });
  });

  it('dead-letters an output the processor does not declare (a bug) as INVALID_OUTPUT', async () => {
    const { deps, serde } = setup(async () => [{ event: 'check-result', key: 'x', value: {} } as never]);
    expect((await processRecord(deps, source, batch([]))).kind).toBe('dead-lettered');
    expect(deadLetterOf(serde)).toMatchObject({ error_code: 'INVALID_OUTPUT', message: expect.stringContaining('fake emitted check-result') });
  });

  it('sends outputs a handler emits early before it returns', async () => {
    const { deps, sent } = setup(async (event, context) => {
      await context.emit([detected('early')]);
      expect(sent.map((m) => m.key)).toEqual(['early']);
      return [detected(event.video_id)];
    });
    const outcome = await processRecord(deps, source, batch([]));
    expect(outcome.kind === 'processed' && outcome.messages.map((m) => m.key)).toEqual(['video-1']);
  });

  it('abandons the record, neither processed nor dead-lettered, when shutdown aborts the handler', async () => {
    const abort = new AbortController();
    const { deps, serde } = setup(
      async () => {
        abort.abort();
        throw new FilmroomError('ABORTED', 'shutting down');
      },
      { signal: abort.signal },
    );
    expect(await processRecord(deps, source, batch([]))).toEqual({ kind: 'abandoned' });
    expect(serde.encoded).toEqual([]);
  });
});
