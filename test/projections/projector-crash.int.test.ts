import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { projectorGroup } from '../../projections/projector.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { waitForGroup } from '../../streams/offsets.ts';
import { publishOnce } from '../support/publish.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { workerEnv } from '../support/echo-fixture.ts';
import { ingestion } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil } from '../support/projection-fixture.ts';
import { exitOf, spawnReadyWorker } from '../support/worker-process.ts';
import { endOffsets } from '../../streams/offsets.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('projector: kill -9 at random points loses nothing (real broker, registry and ClickHouse)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

  it('given 3,000 events, small inserts and 3 kills with restarts, every event has its row and the group ends committed at the end', async () => {
    const config = await projectionConfig();
    const kafka = createKafka(config.kafka, 'it-projector-crash');
    const serde = new EventSerde(config.registry, config.topics);
    const total = 3000;
    try {
      const events = Array.from({ length: total }, (_, i) => ingestion(`crash-${String(i).padStart(4, '0')}`, `s3://b/${i}.mp4`));
      // Events keep arriving (25 every 400 ms, about 48 s in all) while workers are started and killed.
      let published = false;
      const publishing = (async () => {
        for (let i = 0; i < total; i += 25) {
          await publishOnce(kafka, serde, config.topics, events.slice(i, i + 25));
          await sleep(400);
        }
        published = true;
      })();
      // Inserts of at most 25 rows: each kill lands between some insert and its commit, or inside one.
      const env = workerEnv(config, {
        WORKER_PROCESSOR: 'projector-videos',
        FILMROOM_CLICKHOUSE_DATABASE: config.clickhouse.database,
        FILMROOM_PROJECTION_BATCH_ROWS: '25',
        FILMROOM_PROJECTION_LINGER_MS: '5',
      });
      const rows = async () => Number((await queryUntil<{ n: string }>(config, 'SELECT count() AS n FROM videos', () => true))[0]!.n);
      const kills: string[] = [];
      for (let kill = 0; kill < 3; kill++) {
        const worker = await spawnReadyWorker(env);
        children.push(worker);
        const before = await rows();
        const deadline = Date.now() + 30_000;
        while ((await rows()) <= before) {
          if (Date.now() > deadline) throw new Error(`worker ${kill + 1} projected nothing within 30 s`);
          await sleep(20);
        }
        await sleep(100 + Math.floor(Math.random() * 600));
        const midRun = !published;
        worker.kill('SIGKILL');
        await exitOf(worker);
        kills.push(`kill ${kill + 1} at ${await rows()} rows${midRun ? '' : ' (after the last event was published)'}`);
      }
      // The kills landed mid-run, events still arriving (rows are no measure: redelivered ones count twice).
      expect(kills.filter((k) => !k.includes('after the last')).length, kills.join(', ')).toBeGreaterThanOrEqual(2);
      await publishing;
      const last = await spawnReadyWorker(env);
      children.push(last);
      const distinct = await queryUntil<{ n: string }>(config, 'SELECT uniqExact(video_id) AS n FROM videos', (r) => Number(r[0]?.n) === total, 120_000);
      expect(Number(distinct[0]!.n)).toBe(total);
      const inserted = await rows();
      const final = Number((await queryUntil<{ n: string }>(config, 'SELECT count() AS n FROM videos FINAL', () => true))[0]!.n);
      expect(final).toBe(total);
      const topic = topicName('video-ingested', config.topics);
      const ends = await endOffsets(kafka, [topic]);
      await waitForGroup(kafka, projectorGroup('videos', config.topics.prefix), ends, 60_000);
      console.log(
        `projector crash test: ${kills.join(', ')}; ${inserted} rows inserted for ${total} events (${inserted - total} redelivered), ${final} after FINAL, 0 missing`,
      );
      last.kill('SIGTERM');
      expect((await exitOf(last)).code).toBe(0);
    } finally {
      await dropTestNamespace(config);
    }
  }, 300_000);
});
