import type { Config } from '../../common/config.ts';
import { describeError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { retry } from '../../common/retry.ts';
import { deterministicEventId, type SourceRecord } from '../../schemas/envelope.ts';
import type { ReplayRequested } from '../../schemas/index.ts';
import { runConsumerLoop, type BatchControl, type PartitionBatch } from '../../streams/consumer-loop.ts';
import { deadLetterEvent } from '../../streams/dead-letter.ts';
import { deadLetterMessage, recordContext, type ToSend } from '../../streams/process-record.ts';
import { consumerGroupOf } from '../../streams/processor.ts';
import { produce, runningOn, startProducer, type RunningProcessor } from '../../streams/runtime.ts';
import { topicName } from '../../streams/topics.ts';
import { replayProcessorVersion, runReplay, type ReplayDeps } from './index.ts';

const name = 'replay';

/**
 * The replay coordinator, run by `filmroom run` (with checks): consumes replay-requested on the
 * shared consumer loop and carries each request out with the replay runner (a checks, detect or
 * ocr processor in the replay's own group), then emits replay-completed and commits the request. The
 * API only publishes requests. A crash mid-replay redelivers the request, and the replay's group
 * resumes from its committed offsets.
 */
export async function runReplayCoordinator(deps: ReplayDeps): Promise<RunningProcessor> {
  const { config } = deps;
  const groupId = consumerGroupOf({ name }, config.topics.prefix);
  const log = deps.log.child({ coordinator: name });
  const producer = await startProducer(deps, { read: ['replay-requested'], written: ['replay-completed', 'processing-failed'] }, 'filmroom-replay', log);
  const inputTopic = topicName('replay-requested', config.topics);
  const loop = await runConsumerLoop(
    {
      groupId,
      topics: [inputTopic],
      clientId: 'filmroom-replay',
      concurrency: 1,
      commitIntervalMs: 0,
      onBatch: (batch, control) => coordinate(batch, control, { ...deps, log }, (messages) => produce(producer, messages)),
    },
    { config, log },
  );
  return runningOn(loop, producer, inputTopic, log);
}

/** Replays one request after the other; each request's offset is committed once its replay-completed is acknowledged. */
async function coordinate(batch: PartitionBatch, control: BatchControl, deps: ReplayDeps, send: (messages: ToSend[]) => Promise<void>): Promise<void> {
  for (const message of batch.messages) {
    if (!control.isActive()) return;
    const source = { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key?.toString() ?? null };
    const messages = await replayOne(deps, source, message.value, control.signal);
    if (!messages) return; // abandoned at shutdown: redelivered on restart
    await send(messages);
    control.resolve(message.offset);
    await control.commit([{ topic: batch.topic, partition: batch.partition, next: BigInt(message.offset) + 1n }], { now: true });
  }
}

/** A request's replay-completed (with the error, when the replay could not run), or its dead letter when it cannot be decoded. */
async function replayOne(deps: ReplayDeps, source: SourceRecord, value: Buffer | null, signal: AbortSignal): Promise<ToSend[] | undefined> {
  const { config, serde } = deps;
  const log = deps.log.child({ topic: source.topic, partition: source.partition, offset: source.offset });
  let request: ReplayRequested;
  try {
    // Registry outages are not the record's fault: retry them for as long as it takes.
    request = await retry(() => serde.decode('replay-requested', value), { ...config.retry, maxAttempts: Number.POSITIVE_INFINITY, signal });
  } catch (error) {
    if (signal.aborted) return undefined;
    return [undecodable(deps, source, value, error, log)];
  }
  let batchesReplayed = 0;
  let model: string | null = null;
  let error: string | null = null;
  try {
    log.info({ replay_id: request.replay_id, stage: request.stage, check_version: request.check_version, model: request.model }, 'replay started');
    ({ batchesReplayed, model } = await runReplay({ ...deps, log }, request, { signal }));
  } catch (caught) {
    if (signal.aborted) return undefined;
    // An unknown check version or model, or a broken request, cannot get better by retrying: report it on the replay.
    error = describeError(caught);
    log.error({ err: caught, replay_id: request.replay_id }, `replay failed: ${error}`);
  }
  const completed = {
    event_id: deterministicEventId('replay-completed', request.replay_id),
    occurred_at: Date.now(),
    producer: { name, version: replayProcessorVersion },
    replay_id: request.replay_id,
    check_version: request.check_version,
    batches_replayed: batchesReplayed,
    error,
    stage: request.stage,
    model,
  };
  return [{ topic: topicName('replay-completed', config.topics), key: request.replay_id, value: serde.encode('replay-completed', completed) }];
}

function undecodable(
  deps: { serde: ReplayDeps['serde']; config: Pick<Config, 'topics'> },
  source: SourceRecord,
  value: Buffer | null,
  error: unknown,
  log: Logger,
): ToSend {
  const failed = deadLetterEvent({
    stage: name,
    stageVersion: replayProcessorVersion,
    source,
    error,
    attempts: 0,
    payload: value,
    identity: {},
    now: Date.now(),
  });
  log.error({ ...recordContext(source), err: error }, `dead-lettered: ${failed.message}`);
  return deadLetterMessage(deps, source, failed);
}
