import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../common/config.ts';
import { describeError, isRetriable } from '../../common/errors.ts';
import type { DecodedEvent } from '../rows.ts';
import { EventSerde } from '../../streams/serde.ts';
import { createClickHouse } from '../clickhouse-client.ts';
import { writeRecords } from '../projector.ts';
import { unpackRecords, type Undecodable, type WriteReply, type WriteRequest } from './protocol.ts';

/**
 * The projection writer thread: decodes the records of a write, builds their rows and inserts them
 * into ClickHouse, then answers. Decoding and row building are most of a projector's CPU work:
 * here they run beside the thread that fetches from Kafka instead of taking turns with it.
 */
const { config } = workerData as { config: Config };
const serde = new EventSerde(config.registry, config.topics);
const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });

async function write(request: WriteRequest): Promise<WriteReply> {
  const decoded: DecodedEvent[] = [];
  const undecodable: Undecodable[] = [];
  for (const record of unpackRecords(request)) {
    try {
      // decodeKnown first: tens of thousands of records per write should not cost a promise each.
      decoded.push({ event: record.event, value: serde.decodeKnown(record.event, record.value) ?? (await serde.decode(record.event, record.value)) });
    } catch (error) {
      // A registry that cannot be asked fails the whole write (it is retried); a bad record is skipped and reported.
      if (isRetriable(error)) throw error;
      undecodable.push({ topic: record.topic, partition: record.partition, offset: record.offset, message: describeError(error) });
    }
  }
  const rows = await writeRecords(clickhouse, decoded);
  return { id: request.id, ok: true, rows, undecodable };
}

parentPort!.postMessage('ready');
parentPort!.on('message', (request: WriteRequest | 'close') => {
  if (request === 'close') {
    void clickhouse.close().finally(() => parentPort!.close());
    return;
  }
  write(request).then(
    (reply) => parentPort!.postMessage(reply),
    (error: unknown) =>
      parentPort!.postMessage({ id: request.id, ok: false, message: describeError(error), retriable: isRetriable(error) } satisfies WriteReply),
  );
});
