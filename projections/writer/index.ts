import { Worker } from 'node:worker_threads';
import type { Config } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';
import { projectionMetrics } from '../metrics.ts';
import { packRecords, type RawRecord, type Undecodable, type WriteReply } from './protocol.ts';

export type { RawRecord, Undecodable } from './protocol.ts';

const entry = new URL('./worker-entry.mjs', import.meta.url);

/**
 * One writer thread. Writes that were in flight when the thread died fail as transient (the
 * projector retries them) and the next write starts a new thread.
 */
class WriterThread {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  readonly pending = new Map<number, { resolve: (reply: WriteReply) => void; reject: (error: unknown) => void }>();

  constructor(private readonly config: Pick<Config, 'registry' | 'topics' | 'clickhouse'>) {}

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(entry, { workerData: { config: this.config } });
    this.ready = new Promise((resolve) => worker.once('message', () => resolve()));
    worker.on('message', (reply: WriteReply | 'ready') => {
      if (reply === 'ready') return;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiting?.resolve(reply);
    });
    const fail = (cause: unknown) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(new FilmroomError('SERVICE_UNAVAILABLE', `projection writer thread stopped: ${String(cause)}`, { cause }));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  async start(): Promise<void> {
    this.thread();
    await this.ready;
  }

  send(request: ReturnType<typeof packRecords>): Promise<WriteReply> {
    return new Promise<WriteReply>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.thread().postMessage(request, [request.bodies]);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('close');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await worker.terminate();
  }
}

/**
 * Writes projected records through writer threads (decode → rows → ClickHouse insert), so a
 * projector's fetching and its writing, and consecutive writes, use every core. Each write goes
 * to the least busy thread; the caller commits offsets in order whatever order writes finish in.
 */
export class ProjectionWriter {
  private readonly threads: WriterThread[];
  private nextId = 1;

  constructor(config: Pick<Config, 'registry' | 'topics' | 'clickhouse'>, threads = 1) {
    this.threads = Array.from({ length: Math.max(1, threads) }, () => new WriterThread(config));
  }

  /** Starts the threads and waits until they have loaded (the first writes would wait otherwise). */
  async start(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.start()));
  }

  /** Inserts the records' rows; resolves once ClickHouse acknowledged them, with the records that could not be decoded. */
  async write(records: RawRecord[]): Promise<{ rows: number; undecodable: Undecodable[] }> {
    const request = packRecords(this.nextId++, records);
    const thread = this.threads.reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least));
    const reply = await thread.send(request);
    if (!reply.ok) throw new FilmroomError(reply.retriable ? 'SERVICE_UNAVAILABLE' : 'HANDLER_FAILED', reply.message, { retriable: reply.retriable });
    let rows = 0;
    for (const [table, count] of Object.entries(reply.rowsByTable)) {
      projectionMetrics.rows.inc({ table }, count);
      rows += count;
    }
    return { rows, undecodable: reply.undecodable };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.close()));
  }
}
