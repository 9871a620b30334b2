import type { Logger } from '../common/logger.ts';
import type { Output, SourceRecord } from '../schemas/envelope.ts';
import type { AnyEventName, EventTypes, Stage } from '../schemas/index.ts';

export interface HandlerContext<O extends AnyEventName = AnyEventName> {
  /** Aborted when the process shuts down and the grace period is over: stop and throw. */
  signal: AbortSignal;
  source: SourceRecord;
  /** 1 on the first try, then 2, 3, ... after transient errors. */
  attempt: number;
  /** A logger bound to the record (topic, partition, offset, video_id, batch_index). */
  log: Logger;
  /** The processing time, passed in so cores stay pure and tests can fix it. */
  now: () => number;
  /**
   * Produces outputs now (acks=all), before the handler returns: a long handler (extracting 900
   * batches) lets downstream stages start on batch k at once. The input offset is still committed
   * only after the handler returns, so a crash re-emits them (same keys and ids: harmless).
   */
  emit(outputs: Output<O>[]): Promise<void>;
}

/**
 * A stream processor: a function from one decoded input event to output events. It keeps no state
 * between events; artifact I/O goes through ports the processor's factory receives. The runtime
 * (runtime.ts) does all the Kafka work around it.
 */
export interface ProcessorDefinition<I extends AnyEventName = AnyEventName, O extends AnyEventName = AnyEventName> {
  /** Names the producer in events and, with `groupSuffix`, the consumer group. */
  name: string;
  version: string;
  input: I;
  outputs: readonly O[];
  /**
   * The requested stages this processor serves: it runs on an event whose `stages` (or
   * `options.stages`) include any of them; the runtime skips the others (commits, emits nothing).
   * Absent: every event (inputs without stages, such as echo or clips requests).
   */
  stages?: readonly Stage[];
  /** Appended to the consumer group, e.g. the check version, so each version has its own offsets. */
  groupSuffix?: string;
  handle(event: EventTypes[I], context: HandlerContext<O>): Promise<Output<O>[]>;
}

export function defineProcessor<I extends AnyEventName, O extends AnyEventName>(definition: ProcessorDefinition<I, O>): ProcessorDefinition<I, O> {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name)) throw new TypeError(`processor name '${definition.name}' must be kebab-case`);
  return definition;
}

/** The consumer group of a processor: `<prefix>filmroom.<name>[.<suffix>]`. */
export function consumerGroupOf(definition: Pick<ProcessorDefinition, 'name' | 'groupSuffix'>, prefix = ''): string {
  return `${prefix}filmroom.${definition.name}${definition.groupSuffix ? `.${definition.groupSuffix}` : ''}`;
}

/** The stages an event asks for, when it carries them (batch and ingestion events do). */
export function requestedStagesOf(event: unknown): readonly Stage[] | undefined {
  if (!event || typeof event !== 'object') return undefined;
  const record = event as { stages?: unknown; options?: { stages?: unknown } };
  const stages = record.stages ?? record.options?.stages;
  return Array.isArray(stages) ? (stages as Stage[]) : undefined;
}

/** Whether an event is a replay's result (batch-detected, ocr-done recomputed with another model version). */
export function isReplayResult(event: unknown): boolean {
  if (!event || typeof event !== 'object') return false;
  // Replay requests carry a replay_id too: only batch results are a replay's results.
  const record = event as { replay_id?: unknown; batch_index?: unknown };
  return typeof record.replay_id === 'string' && typeof record.batch_index === 'number';
}

/**
 * Whether a processor serves an event: it is no replay's result (those end in the projections: no
 * stage builds on them, so a replay never starts OCR, tracking or a render of the job), and the
 * processor declares no stages, the event carries none, or they meet.
 */
export function servesEvent(definition: Pick<ProcessorDefinition, 'stages'>, event: unknown): boolean {
  if (isReplayResult(event)) return false;
  const requested = requestedStagesOf(event);
  if (!definition.stages || !requested) return true;
  return definition.stages.some((stage) => requested.includes(stage));
}
