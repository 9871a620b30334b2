import { describe, expect, it } from 'vitest';
import type { EchoRequested } from '../../schemas/index.ts';
import { decideEcho, echoOf } from './echo.ts';

const request = (behaviour: EchoRequested['behaviour']): EchoRequested => ({
  event_id: 'req-1',
  occurred_at: 1,
  producer: { name: 'test', version: '0' },
  request_id: 'r1',
  sequence: 7,
  behaviour,
  payload: Buffer.alloc(10),
});

describe('echo core', () => {
  it('echoes with the configured delay, or the slow delay when asked', () => {
    expect(decideEcho(request('ECHO'), { delayMs: 3, slowMs: 50 })).toEqual({ kind: 'echo', delayMs: 3 });
    expect(decideEcho(request('SLOW'), { delayMs: 3, slowMs: 50 })).toEqual({ kind: 'echo', delayMs: 50 });
  });

  it('fails permanently or transiently when asked, with errors the runtime classifies accordingly', () => {
    const permanent = decideEcho(request('FAIL_PERMANENTLY'), { delayMs: 0, slowMs: 0 });
    const transient = decideEcho(request('FAIL_TRANSIENTLY'), { delayMs: 0, slowMs: 0 });
    expect(permanent.kind === 'fail' && permanent.error.retriable).toBe(false);
    expect(transient.kind === 'fail' && transient.error.retriable).toBe(true);
  });

  it('given the same request twice, emits the same event id (redelivery is harmless)', () => {
    const producer = { name: 'echo', version: '1' };
    const first = echoOf(request('ECHO'), producer, 100);
    const second = echoOf(request('ECHO'), producer, 200);
    expect(first.event_id).toBe(second.event_id);
    expect(first).toMatchObject({ request_id: 'r1', sequence: 7, request_event_id: 'req-1', payload_bytes: 10 });
  });
});
