import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../common/config.ts';
import { InMemoryReadModel } from '../projections/read-model/in-memory.ts';
import type { JobStatusRow } from '../projections/read-model/port.ts';
import { InMemoryObjectStore } from '../storage/in-memory-object-store.ts';
import { InMemoryEventLog } from '../streams/event-log.ts';
import { InMemoryEventPublisher } from '../streams/event-publisher.ts';
import { buildServer } from './server.ts';

/** One key per role, for requests to an in-memory app. */
export const inMemoryKeys = { uploader: 'uploader-secret-0123456789', reader: 'reader-secret-0123456789', operator: 'operator-secret-012345678' };
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export interface InMemoryApp {
  app: FastifyInstance;
  config: Config;
  readModel: InMemoryReadModel;
  publisher: InMemoryEventPublisher;
  eventLog: InMemoryEventLog;
  objectStore: InMemoryObjectStore;
}

/**
 * The API on in-memory ports, for route unit tests (`inject`, no port opened, no service reached):
 * given rows in `readModel`, requests answer from them; published events land in
 * `publisher.published`, and a published video-ingested makes its video known, as the projector
 * would; objects live in `objectStore`, and `eventLog` answers readiness, lag and end offsets.
 */
export async function inMemoryApp(env: Record<string, string> = {}): Promise<InMemoryApp> {
  const config = loadConfig({
    FILMROOM_API_KEYS: `up:uploader:${inMemoryKeys.uploader},rd:reader:${inMemoryKeys.reader},op:operator:${inMemoryKeys.operator}`,
    ...env,
  });
  const readModel = new InMemoryReadModel();
  const publisher = new InMemoryEventPublisher((outputs) => {
    for (const output of outputs) if (output.event === 'video-ingested') readModel.runs.set(output.value.video_id, output.value.run_id);
  });
  const eventLog = new InMemoryEventLog();
  const objectStore = new InMemoryObjectStore();
  const app = await buildServer(config, { logLevel: 'silent', ports: { readModel, publisher, eventLog, objectStore } });
  return { app, config, readModel, publisher, eventLog, objectStore };
}

/** A job_status row as ClickHouse returns it (64-bit counts as strings), complete unless overridden. */
export const jobRow = (videoId: string, overrides: Partial<JobStatusRow> = {}): JobStatusRow => ({
  video_id: videoId,
  run_id: '',
  state: 'complete',
  progress_percent: 100,
  extraction_progress: 'Extraction: 6/6 batches',
  detection_progress: '',
  ocr_progress: '',
  checks_progress: 'Checks: 6/6 batches',
  render_progress: '',
  transform_progress: '',
  batches_total: 6,
  failures: '0',
  last_error: '',
  started_at: '2026-01-01 00:00:00',
  updated_at: '2026-01-01 00:01:00',
  eta_seconds: '0',
  checked_versions: ['v1', 'v2'],
  batches_checked_per_version: ['6', 3],
  ...overrides,
});
