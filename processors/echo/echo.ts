import { FilmroomError } from '../../common/errors.ts';
import type { EchoEmitted, EchoRequested, Producer } from '../../schemas/index.ts';
import { deterministicEventId } from '../../schemas/envelope.ts';

/** What the echo handler should do with a request: the pure decision. */
export type EchoDecision = { kind: 'echo'; delayMs: number } | { kind: 'fail'; error: FilmroomError };

export function decideEcho(request: EchoRequested, options: { delayMs: number; slowMs: number }): EchoDecision {
  switch (request.behaviour) {
    case 'ECHO':
      return { kind: 'echo', delayMs: options.delayMs };
    case 'SLOW':
      return { kind: 'echo', delayMs: options.slowMs };
    case 'FAIL_PERMANENTLY':
      return { kind: 'fail', error: new FilmroomError('HANDLER_FAILED', `echo request ${request.request_id}#${request.sequence} asked to fail permanently`) };
    case 'FAIL_TRANSIENTLY':
      return {
        kind: 'fail',
        error: new FilmroomError('SERVICE_UNAVAILABLE', `echo request ${request.request_id}#${request.sequence} asked to fail transiently`),
      };
    default: {
      const unreachable: never = request.behaviour;
      throw new TypeError(`unknown echo behaviour ${String(unreachable)}`);
    }
  }
}

/** The echo of a request: deterministic, so a redelivered request yields the same event. */
export function echoOf(request: EchoRequested, producer: Producer, occurredAt: number): EchoEmitted {
  return {
    event_id: deterministicEventId('echo-emitted', request.event_id),
    occurred_at: occurredAt,
    producer,
    request_id: request.request_id,
    sequence: request.sequence,
    request_event_id: request.event_id,
    payload_bytes: request.payload.length,
  };
}
