import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../common/config.ts';
import { FilmroomError, describeError, isRetriable } from '../../common/errors.ts';
import type { DecodedEvent } from '../rows.ts';
import { EventSerde, unframe } from '../../streams/serde.ts';
import { createClickHouse } from '../clickhouse-client.ts';
import { encodeRows, insertEncoded } from '../projector.ts';
import { refreshChanged, type ChangedVideos } from '../stored-read-rows.ts';
import { unpackRecords, type RawRecord, type Undecodable, type WriteReply, type WriteRequest } from './protocol.ts';

/**
 * The projection writer thread: decodes the records of a write, builds their rows and inserts them
 * into ClickHouse, then answers. Decoding and row building are most of a projector's CPU work:
 * here they run beside the thread that fetches from Kafka instead of taking turns with it.
 */
const { config } = workerData as { config: Config };
const serde = new EventSerde(config.registry, config.topics);
const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });

/**
 * Fetches the writer schemas of these records that this thread has not seen yet. A registry that
 * cannot be asked fails the write (it is retried); a schema id it does not know is reported per record.
 */
async function learnWriters(records: RawRecord[]): Promise<Map<number, string>> {
  const unknown = new Map<number, RawRecord>();
  for (const record of records) {
    try {
      const { schemaId } = unframe(record.value);
      if (!serde.knowsWriter(schemaId) && !unknown.has(schemaId)) unknown.set(schemaId, record);
    } catch {
      // Not even framed: decodeEach reports it.
    }
  }
  const failed = new Map<number, string>();
  for (const [schemaId, record] of unknown) {
    try {
      await serde.decode(record.event, record.value);
    } catch (error) {
      if (isRetriable(error)) throw error;
      failed.set(schemaId, describeError(error));
    }
  }
  return failed;
}

/**
 * The records decoded one at a time, as the row encoder asks for them, so that an event is garbage
 * as soon as its rows are bytes. Undecodable records are skipped into `undecodable`.
 */
function* decodeEach(records: RawRecord[], failedWriters: Map<number, string>, undecodable: Undecodable[]): Generator<DecodedEvent> {
  for (const record of records) {
    try {
      const value = serde.decodeKnown(record.event, record.value);
      if (value === undefined) throw new Error(failedWriters.get(unframe(record.value).schemaId) ?? 'writer schema unknown');
      yield { event: record.event, value };
    } catch (error) {
      undecodable.push({ topic: record.topic, partition: record.partition, offset: record.offset, message: describeError(error) });
    }
  }
}

async function write(request: WriteRequest): Promise<WriteReply> {
  const records = unpackRecords(request);
  const failedWriters = await learnWriters(records);
  const undecodable: Undecodable[] = [];
  const changed: ChangedVideos = new Map();
  const rowsByTable = await insertEncoded(clickhouse, encodeRows(decodeEach(records, failedWriters, undecodable), changed));
  // After the insert, before the offsets are committed: a projected event's status and manifest are stored when the projector has caught up.
  try {
    await refreshChanged(clickhouse, changed);
  } catch (error) {
    const videos = new Set([...changed.values()].flatMap((ids) => [...ids])).size;
    throw new FilmroomError(
      'SERVICE_UNAVAILABLE',
      `clickhouse: recomputing the stored status and manifests of ${videos} video(s) failed: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
  return { id: request.id, ok: true, rowsByTable, undecodable };
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
