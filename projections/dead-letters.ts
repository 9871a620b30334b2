import type { Producer } from '@platformatic/kafka';
import type { Config } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { RawRecord } from '../streams/batch-consumer.ts';
import { deadLetterEvent } from '../streams/dead-letter.ts';
import { deadLetterMessage, recordContext } from '../streams/process-record.ts';
import { produce, startProducer } from '../streams/runtime.ts';
import { EventSerde } from '../streams/serde.ts';
import { projectionMetrics } from './metrics.ts';
import type { Undecodable } from './writer/index.ts';

export const projectorVersion = '1.0.0';

/**
 * Sends the records a projector could not decode to `filmroom.dead-letter`, as the processors do
 * with theirs: a processing-failed event with the record's coordinates and bytes, acknowledged
 * before the write's offsets are committed. The projector then goes on past them.
 */
export class ProjectionDeadLetters {
  private constructor(
    private readonly producer: Producer,
    private readonly serde: EventSerde,
    private readonly config: Pick<Config, 'topics'>,
    private readonly log: Logger,
  ) {}

  static async start(config: Pick<Config, 'kafka' | 'topics' | 'registry'>, log: Logger): Promise<ProjectionDeadLetters> {
    const serde = new EventSerde(config.registry, config.topics);
    const producer = await startProducer({ config, serde }, { read: [], written: ['processing-failed'] }, 'filmroom-projector', log);
    return new ProjectionDeadLetters(producer, serde, config, log);
  }

  async send(family: string, records: RawRecord[], undecodable: Undecodable[]): Promise<void> {
    if (undecodable.length === 0) return;
    const byCoordinates = new Map(records.map((r) => [`${r.topic}/${r.partition}/${r.offset}`, r]));
    const messages = undecodable.map((skipped) => {
      const source = { topic: skipped.topic, partition: skipped.partition, offset: skipped.offset, key: null };
      const error = new FilmroomError('MALFORMED_EVENT', skipped.message, { context: recordContext(source) });
      const failed = deadLetterEvent({
        stage: `projector-${family}`,
        stageVersion: projectorVersion,
        source,
        error,
        attempts: 0,
        payload: byCoordinates.get(`${skipped.topic}/${skipped.partition}/${skipped.offset}`)?.value ?? null,
        identity: {},
        now: Date.now(),
      });
      this.log.error({ ...error.context, projector: family }, `dead-lettered an undecodable record: ${skipped.message}`);
      return deadLetterMessage({ serde: this.serde, config: this.config }, source, failed);
    });
    await produce(this.producer, messages);
    projectionMetrics.poison.inc({ projector: family }, undecodable.length);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
