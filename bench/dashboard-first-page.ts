import type { AddressInfo } from 'node:net';
import { buildServer } from '../api/server.ts';
import type { Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { videoIngestedOf } from '../processors/ingest/video-ingested.ts';
import { createClickHouse } from '../projections/clickhouse-client.ts';
import { migrate } from '../projections/migrate.ts';
import { runProjectors, writeCheckVersions } from '../projections/projector.ts';
import { batchKey, deterministicEventId, runParts, type Output } from '../schemas/envelope.ts';
import type { BatchExtracted } from '../schemas/index.ts';
import { createKafka } from '../streams/kafka-client.ts';
import { createKafkaPublisher } from '../streams/kafka-publisher.ts';
import { EventSerde } from '../streams/serde.ts';
import { provisionTopics } from '../streams/topics.ts';
import { enterKey, launchChromium } from '../test/support/browser.ts';

/** The bound: with 2,000 videos in the projections, the list's first page renders in under a second. */
export const firstPageBudgetMs = 1000;

export interface FirstPageSample {
  /** Navigation start to the first page's rows in the DOM, a frame about to paint (read by the page itself). */
  pageMs: number;
  /** The list request and its render, from the moment the page asked. */
  listMs: number;
  /** The wall time around the navigation, as the driver sees it. */
  wallMs: number;
}

export interface FirstPageResult {
  videos: number;
  samples: FirstPageSample[];
  medianPageMs: number;
  /** `GET /v1/videos?limit=50` alone, outside the browser: the API's share. */
  apiMs: number[];
  medianApiMs: number;
  /** Rows the page showed at the end. */
  rows: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const producer = { name: 'bench', version: '0' };
const source = { duration_s: 40, fps: 30, width: 640, height: 360, codec: 'h264', frame_count: 1200, pix_fmt: 'yuv420p', bit_rate: 1_500_000 };

/** A video's one batch, extracted (synthetic: no artifact behind it), so that its job reads as extracting. */
function batchOf(videoId: string, runId: string): Output<'batch-extracted'> {
  const frames = Array.from({ length: 10 }, (_, i) => i * 30);
  const value: BatchExtracted = {
    event_id: deterministicEventId('batch-extracted', videoId, ...runParts(runId), 0, 'bench'),
    occurred_at: 1_700_000_000_000,
    producer,
    video_id: videoId,
    run_id: runId,
    batch_index: 0,
    batch_count: 1,
    frame_start: 0,
    frame_end: frames[9]!,
    frame_indices: frames,
    timestamps_s: frames.map((f) => f / 30),
    artifact_uri: `s3://bench/${videoId}/0`,
    video: source,
    source_uri: `s3://filmroom-uploads/${videoId}.mp4`,
    session_metadata: {},
    extractor_version: 'bench',
    stages: ['EXTRACT', 'CHECKS'],
    detectors: ['objects', 'text'],
    transform: '',
  };
  return { event: 'batch-extracted', key: batchKey(videoId, 0), value };
}

/** Puts `videos` videos into the projections: each ingested with its one batch extracted, projected by the real projectors. */
async function seed(config: Config, videos: number): Promise<() => Promise<unknown>> {
  const admin = createClickHouse(config.clickhouse);
  const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
  await migrate(admin, clickhouse, config.clickhouse.database);
  await writeCheckVersions(clickhouse);
  await admin.close();
  const kafka = createKafka(config.kafka, 'dashboard-first-page');
  await provisionTopics(kafka, config.topics);
  const projectors = await runProjectors({ config, log: createLogger('silent') });
  const ingestions = Array.from({ length: videos }, (_, i) =>
    videoIngestedOf({
      videoId: `scale-${String(i).padStart(4, '0')}`,
      sourceUri: `s3://filmroom-uploads/scale-${i}.mp4`,
      options: { batch_size: 10, stages: ['EXTRACT', 'CHECKS'] },
      sessionMetadata: {},
      uploader: 'bench',
      producer,
      now: Date.now(),
    }),
  );
  const outputs = [...ingestions, ...ingestions.map((o) => batchOf(o.value.video_id, o.value.run_id))];
  const publisher = await createKafkaPublisher(kafka, new EventSerde(config.registry, config.topics), config.topics, {
    events: ['video-ingested', 'batch-extracted'],
  });
  await publisher.publish(outputs).finally(() => publisher.close());
  try {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const [row] = (await (await clickhouse.query({ query: 'SELECT toString(count()) AS n FROM job_status', format: 'JSONEachRow' })).json()) as {
        n: string;
      }[];
      if (Number(row?.n) === videos) break;
      if (Date.now() > deadline) throw new Error(`the projections hold ${row?.n} of ${videos} videos after 240 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await clickhouse.close();
  }
  return () => Promise.all(projectors.map((p) => p.stop()));
}

/**
 * The dashboard's videos list with `videos` videos in the projections (synthetic events, projected
 * by the real projectors, into `config`'s own topics and database), the API in this process and
 * the page in Chromium: the first page's render time as a user opening it finds it, with the key
 * in the session (navigation start to the rows in the DOM: the page, its script, the list request
 * and its render), `opens` times, each from a blank page left 2 s so that the streams the last
 * open started have ended on the server; and `GET /v1/videos?limit=50` alone, to tell the API's
 * share. Shared by the browser test (test/dashboard/dashboard-scale.e2e.test.ts) and
 * `filmroom bench --only dashboard`. `config` must hold `readerKey` as a reader's key.
 */
export async function measureDashboardFirstPage(
  config: Config,
  options: { readerKey: string; videos: number; opens: number; screenshot?: string },
): Promise<FirstPageResult> {
  const closers: (() => Promise<unknown>)[] = [];
  try {
    closers.push(await seed(config, options.videos));
    const app = await buildServer(config, { logLevel: 'silent' });
    closers.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const apiMs: number[] = [];
    for (let i = 0; i < options.opens; i++) {
      const began = performance.now();
      const response = await fetch(`${base}/v1/videos?limit=50&offset=0`, { headers: { authorization: `Bearer ${options.readerKey}` } });
      const listed = ((await response.json()) as { videos?: unknown[] }).videos?.length;
      if (listed !== Math.min(50, options.videos)) throw new Error(`GET /v1/videos?limit=50 listed ${listed} videos`);
      apiMs.push(Math.round(performance.now() - began));
    }
    const browser = await launchChromium();
    closers.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`);
    await enterKey(page, options.readerKey);
    await page
      .locator('table.videos tbody tr')
      .nth(Math.min(50, options.videos) - 1)
      .waitFor();
    const samples: FirstPageSample[] = [];
    for (let i = 0; i < options.opens; i++) {
      await page.goto('about:blank');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const began = Date.now();
      await page.goto(`${base}/#/`);
      const table = page.locator('table.videos[data-page-ms]');
      await table.waitFor();
      const wallMs = Date.now() - began;
      samples.push({ pageMs: Number(await table.getAttribute('data-page-ms')), listMs: Number(await table.getAttribute('data-list-ms')), wallMs });
    }
    if (options.screenshot) await page.screenshot({ path: options.screenshot });
    const rows = await page.locator('table.videos tbody tr').count();
    return { videos: options.videos, samples, medianPageMs: median(samples.map((s) => s.pageMs)), apiMs, medianApiMs: median(apiMs), rows };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}
