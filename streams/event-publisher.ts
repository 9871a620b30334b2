import type { AnyEventName } from '../schemas/index.ts';
import type { Output } from '../schemas/envelope.ts';

/**
 * The events port: how the API, the CLI and commands emit events from outside a processor. One
 * per process, built at the composition root (the Kafka adapter in `kafka-publisher.ts`, or
 * `InMemoryEventPublisher` in unit tests) and closed when the process stops.
 */
export interface EventPublisher {
  /** Sends the outputs durably (acks=all), in order per event; resolves once the broker has them. */
  publish(outputs: readonly Output<AnyEventName>[]): Promise<void>;
  /** Sends records exactly as they were (a failed input, retried): to their own topic, with their own key and encoded value. */
  redrive(records: readonly RawRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** A record as Kafka holds it: its topic, key and encoded value. */
export interface RawRecord {
  topic: string;
  key: string | null;
  value: Buffer;
}

/** Records what was published, for unit tests: `published` in publish order. */
export class InMemoryEventPublisher implements EventPublisher {
  readonly published: Output<AnyEventName>[] = [];
  readonly redriven: RawRecord[] = [];
  closed = false;

  /** `onPublish` stands for what consumes the events (a test's projector), when a test needs one. */
  constructor(private readonly onPublish: (outputs: readonly Output<AnyEventName>[]) => void = () => {}) {}

  async publish(outputs: readonly Output<AnyEventName>[]): Promise<void> {
    if (this.closed) throw new Error('publisher closed');
    this.published.push(...outputs);
    this.onPublish(outputs);
  }

  async redrive(records: readonly RawRecord[]): Promise<void> {
    if (this.closed) throw new Error('publisher closed');
    this.redriven.push(...records);
  }

  /** The published outputs of one event, their values typed. */
  of<E extends AnyEventName>(event: E): Output<E>[] {
    return this.published.filter((o) => o.event === event) as unknown as Output<E>[];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
