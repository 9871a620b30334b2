import { FilmroomError, describeError } from '../common/errors.ts';
import type { ProcessingFailed, WorkRetrying } from '../schemas/index.ts';
import { deterministicEventId } from '../schemas/envelope.ts';
import type { SourceRecord } from '../schemas/envelope.ts';

/** What a failed input is known to be about, when it could be decoded that far. */
export interface FailedInputIdentity {
  video_id?: string | null;
  batch_index?: number | null;
  run_id?: string | null;
}

/** The fields every event about one input's work starts with: who, which video, run and batch. */
function workHeader(input: { stage: string; stageVersion: string; identity: FailedInputIdentity; now: number }) {
  return {
    occurred_at: input.now,
    producer: { name: input.stage, version: input.stageVersion },
    stage: input.stage,
    video_id: input.identity.video_id ?? null,
    run_id: input.identity.run_id ?? '',
    batch_index: input.identity.batch_index ?? null,
  };
}

const codeOf = (error: unknown) => (error instanceof FilmroomError ? error.code : error instanceof Error ? error.name : 'UNKNOWN');

export function identityOf(event: unknown): FailedInputIdentity {
  if (!event || typeof event !== 'object') return {};
  const record = event as Record<string, unknown>;
  return {
    video_id: typeof record.video_id === 'string' ? record.video_id : null,
    batch_index: typeof record.batch_index === 'number' ? record.batch_index : null,
    run_id: typeof record.run_id === 'string' ? record.run_id : null,
  };
}

/**
 * The dead-letter event for one input record. Its id depends only on the stage and the record's
 * coordinates, so dead-lettering the same record twice (after a crash) is one event.
 */
export function deadLetterEvent(input: {
  stage: string;
  stageVersion: string;
  source: SourceRecord;
  error: unknown;
  attempts: number;
  payload: Buffer | null;
  identity: FailedInputIdentity;
  now: number;
}): ProcessingFailed {
  const { error } = input;
  const exhausted = error instanceof FilmroomError && error.code === 'RETRIES_EXHAUSTED';
  const root = exhausted && error.cause instanceof FilmroomError ? error.cause : error;
  return {
    event_id: deterministicEventId('processing-failed', input.stage, input.source.topic, input.source.partition, input.source.offset),
    ...workHeader(input),
    error_class: exhausted ? 'TRANSIENT_EXHAUSTED' : 'PERMANENT',
    error_code: codeOf(root),
    message: describeError(error),
    source: { topic: input.source.topic, partition: input.source.partition, offset: Number(input.source.offset), key: input.source.key },
    attempts: input.attempts,
    payload: input.payload,
  };
}

/**
 * The notice that a stage will try an input again after a transient error, so the job reads as
 * retrying meanwhile. Its id depends on the stage, the record's coordinates and the attempt: a
 * redelivered record retried again repeats the same notices.
 */
export function retryingEvent(input: {
  stage: string;
  stageVersion: string;
  source: SourceRecord;
  error: unknown;
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  identity: FailedInputIdentity;
  now: number;
}): WorkRetrying {
  const { error } = input;
  return {
    event_id: deterministicEventId('work-retrying', input.stage, input.source.topic, input.source.partition, input.source.offset, input.attempt),
    ...workHeader(input),
    attempt: input.attempt,
    max_attempts: Number.isFinite(input.maxAttempts) ? input.maxAttempts : 0,
    retry_at: input.now + input.delayMs,
    error_code: codeOf(error),
    message: describeError(error),
  };
}
