import { performance } from 'node:perf_hooks';
import type { Config } from '../common/config.ts';
import { FilmroomError, describeError, isUnreachable, withContext, type ErrorContext } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { retry } from '../common/retry.ts';
import type { Output, SourceRecord } from '../schemas/envelope.ts';
import type { AnyEventName, ProcessingFailed } from '../schemas/index.ts';
import { deadLetterEvent, identityOf, retryingEvent } from './dead-letter.ts';
import type { ProcessorMetrics } from './metrics.ts';
import { servesEvent, type ProcessorDefinition } from './processor.ts';
import type { EventSerde } from './serde.ts';
import { topicName } from './topics.ts';

export type ToSend = { topic: string; key: string; value: Buffer };

/** How long a handler waits out a service it cannot reach: past a restart or an outage of minutes, yet a service gone for good still ends in a dead letter. */
export const outageDeadlineMs = 10 * 60_000;

/**
 * What became of one input record: its messages (outputs, or its dead-letter event) are to be sent
 * before its offset is committed; a skipped record (a video that did not ask for this stage) has
 * none; an abandoned one (shutdown's grace period ran out) must not be committed.
 */
export type Outcome = { kind: 'processed' | 'skipped' | 'dead-lettered'; messages: ToSend[] } | { kind: 'abandoned' };

export interface ProcessRecordDeps<I extends AnyEventName, O extends AnyEventName> {
  definition: ProcessorDefinition<I, O>;
  serde: Pick<EventSerde, 'decode' | 'encode'>;
  config: Pick<Config, 'topics' | 'retry'>;
  metrics: ProcessorMetrics;
  log: Logger;
  now: () => number;
  /** Aborted when shutdown's grace period is over: retries stop and the record is abandoned. */
  signal: AbortSignal;
  /** Sends outputs a handler emits early (acks=all). */
  send(messages: ToSend[]): Promise<void>;
}

/** Where an error about this record happened, for FilmroomError.context and log lines. */
export function recordContext(source: SourceRecord, event?: unknown): ErrorContext {
  const identity = identityOf(event);
  return {
    topic: source.topic,
    partition: source.partition,
    offset: source.offset,
    video_id: identity.video_id ?? undefined,
    batch_index: identity.batch_index ?? undefined,
  };
}

/**
 * One input record through a processor: decode (waiting out registry outages) → skip it when the
 * event did not ask for the processor's stages → handle (retrying transient errors) → encode the
 * outputs. A record that cannot be decoded or handled becomes a dead-letter event instead.
 */
export async function processRecord<I extends AnyEventName, O extends AnyEventName>(
  deps: ProcessRecordDeps<I, O>,
  source: SourceRecord,
  value: Buffer | null,
): Promise<Outcome> {
  const { definition, metrics, signal } = deps;
  const labels = { processor: definition.name };
  const log = deps.log.child({ topic: source.topic, partition: source.partition, offset: source.offset });
  metrics.consumed.inc(labels);
  let event;
  try {
    // Registry outages are not the record's fault: retry them for as long as it takes.
    event = await retry(() => deps.serde.decode(definition.input, value), {
      ...deps.config.retry,
      maxAttempts: Number.POSITIVE_INFINITY,
      signal,
      onRetry: (error) => log.warn({ err: error }, 'decode waiting for the schema registry'),
    });
  } catch (error) {
    if (signal.aborted) return { kind: 'abandoned' };
    return deadLetter(deps, { source, value, error, attempts: 0, log });
  }
  if (!servesEvent(definition, event)) {
    metrics.skipped.inc(labels);
    return { kind: 'skipped', messages: [] };
  }
  const recordLog = log.child(identityOf(event));
  let attempts = 0;
  const started = performance.now();
  try {
    const outputs = await retry(
      async (_bail, attempt) => {
        attempts = attempt;
        const emit = async (early: Output<O>[]) => deps.send(encodeOutputs(deps, early, source, event));
        return definition.handle(event, { signal, source, attempt, log: recordLog, now: deps.now, emit });
      },
      {
        ...deps.config.retry,
        signal,
        // A service the handler cannot reach at all (S3 stopped or restarting) is not the record's
        // fault: waited out without using up attempts, for as long as a restart or short outage lasts.
        // Dead-lettering it after a few seconds would fail the video (the chaos run found this).
        waitOut: { when: isUnreachable, forMs: outageDeadlineMs },
        onRetry: (error, attempt, delayMs) => {
          metrics.retried.inc(labels);
          recordLog.warn({ attempt, delayMs, err: error }, `handler failed, retrying: ${describeError(error)}`);
          // The job shows `retrying` meanwhile. Not awaited: the notice is for people, and a lost one costs
          // only the label (the work's result or dead-letter event follows either way).
          const notice = retryingEvent({
            stage: definition.name,
            stageVersion: definition.version,
            source,
            error,
            attempt,
            maxAttempts: deps.config.retry.maxAttempts,
            delayMs,
            identity: identityOf(event),
            now: deps.now(),
          });
          const key = source.key ?? `${source.topic}/${source.partition}/${source.offset}`;
          deps
            .send([{ topic: topicName('work-retrying', deps.config.topics), key, value: deps.serde.encode('work-retrying', notice) }])
            .catch((sendError: unknown) => recordLog.warn({ err: sendError }, 'could not publish work-retrying'));
        },
      },
    );
    const messages = encodeOutputs(deps, outputs, source, event);
    recordLog.debug({ outputs: messages.length }, 'processed');
    return { kind: 'processed', messages };
  } catch (error) {
    if (signal.aborted) return { kind: 'abandoned' };
    return deadLetter(deps, { source, value, error, attempts, event, log: recordLog });
  } finally {
    metrics.handlerSeconds.observe(labels, (performance.now() - started) / 1000);
  }
}

function encodeOutputs<O extends AnyEventName>(deps: ProcessRecordDeps<AnyEventName, O>, outputs: Output<O>[], source: SourceRecord, event: unknown): ToSend[] {
  const { definition } = deps;
  return outputs.map((output) => {
    if (!definition.outputs.includes(output.event)) {
      throw new FilmroomError(
        'INVALID_OUTPUT',
        `${definition.name} emitted ${output.event}, which is not among its outputs (${definition.outputs.join(', ')})`,
        { context: recordContext(source, event) },
      );
    }
    return { topic: topicName(output.event, deps.config.topics), key: output.key, value: deps.serde.encode(output.event, output.value) };
  });
}

function deadLetter(
  deps: ProcessRecordDeps<AnyEventName, AnyEventName>,
  failure: { source: SourceRecord; value: Buffer | null; error: unknown; attempts: number; event?: unknown; log: Logger },
): Outcome {
  const { source, attempts, log } = failure;
  const error = withContext(failure.error, recordContext(source, failure.event));
  const failed = deadLetterEvent({
    stage: deps.definition.name,
    stageVersion: deps.definition.version,
    source,
    error,
    attempts,
    payload: failure.value,
    identity: identityOf(failure.event),
    now: deps.now(),
  });
  deps.metrics.failed.inc({ processor: deps.definition.name, error_class: failed.error_class, error_code: failed.error_code });
  log.error({ errorClass: failed.error_class, errorCode: failed.error_code, attempts, err: error }, `dead-lettered: ${failed.message}`);
  return { kind: 'dead-lettered', messages: [deadLetterMessage(deps, source, failed)] };
}

/** The dead-letter event as a message for `processing-failed`, keyed like its input (or by its coordinates). */
export function deadLetterMessage(
  deps: { serde: Pick<EventSerde, 'encode'>; config: Pick<Config, 'topics'> },
  source: SourceRecord,
  failed: ProcessingFailed,
): ToSend {
  const key = source.key ?? `${source.topic}/${source.partition}/${source.offset}`;
  return { topic: topicName('processing-failed', deps.config.topics), key, value: deps.serde.encode('processing-failed', failed) };
}
