import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { serviceDirs } from '../../deploy/local/layout.ts';
import { stopRecorded } from '../../deploy/local/processes.ts';
import { stackUp } from '../../deploy/local/stack.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { projectorGroup, runProjectors } from '../../projections/projector.ts';
import { endOffsets } from '../../streams/batch-consumer.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { publishOnce } from '../support/publish.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { ingestion } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil } from '../support/projection-fixture.ts';
import { testStackMode } from '../support/stack-config.ts';
import { committedOffsets } from '../../streams/offsets.ts';

describe.skipIf(testStackMode() !== 'local')('projectors while the ClickHouse server is down (local stack)', () => {
  it('pause and retry without committing, then catch up with nothing lost when ClickHouse returns', async () => {
    const config = await projectionConfig();
    const kafka = createKafka(config.kafka, 'it-outage');
    const serde = new EventSerde(config.registry, config.topics);
    const clickhouse = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    const [projector] = await runProjectors({ config, log: createLogger('silent') }, ['videos']);
    const topic = topicName('video-ingested', config.topics);
    const committed = async () => {
      const offsets = await committedOffsets(kafka, projectorGroup('videos', config.topics.prefix), [topic]);
      return [...offsets.values()].reduce((sum, offset) => sum + Number(offset), 0);
    };
    try {
      await publishOnce(kafka, serde, config.topics, [ingestion('before-outage', 's3://b/x.mp4')]);
      await queryUntil(config, 'SELECT video_id FROM videos', (rows) => rows.length === 1);
      await expect.poll(committed, { timeout: 30_000 }).toBe(1);

      expect(await stopRecorded(serviceDirs(loadConfig(), 'clickhouse').pidFile)).toBe('stopped');
      const during = Array.from({ length: 20 }, (_, i) => ingestion(`during-outage-${i}`, `s3://b/${i}.mp4`));
      await publishOnce(kafka, serde, config.topics, during);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      // The inserts are failing and being retried: nothing past the first record is committed.
      expect(await committed()).toBe(1);

      await stackUp(loadConfig(), createLogger('silent'));
      await projector!.waitUntilCaughtUp(await endOffsets(kafka, [topic]), 120_000);
      const rows = await queryUntil<{ n: string }>(config, 'SELECT toString(count()) AS n FROM videos FINAL', (r) => r[0]?.n === '21');
      expect(rows).toEqual([{ n: '21' }]);
      await expect.poll(committed, { timeout: 30_000 }).toBe(21);
    } finally {
      await projector!.stop();
      await clickhouse.close();
      await stackUp(loadConfig(), createLogger('silent'));
      await dropTestNamespace(config);
    }
  }, 240_000);
});
