import { describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { projectorGroup, runProjectors } from '../../projections/projector.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { waitForGroup } from '../../streams/offsets.ts';
import { publishOnce } from '../support/publish.ts';
import { frame } from '../../streams/serde.ts';
import { EventSerde } from '../../streams/serde.ts';
import { topicName } from '../../streams/topics.ts';
import { ingestion } from '../support/pipeline-fixture.ts';
import { dropTestNamespace, projectionConfig, queryUntil } from '../support/projection-fixture.ts';
import { sendRaw } from '../support/kafka-records.ts';
import { endOffsets } from '../../streams/offsets.ts';

describe('projector writes through the writer thread (real broker, registry and ClickHouse)', () => {
  it('skips undecodable records (garbage, an unknown schema id, no value) and projects every good event around them', async () => {
    const config = await projectionConfig({ FILMROOM_PROJECTION_LINGER_MS: '5', FILMROOM_PROJECTION_BATCH_ROWS: '7' });
    const kafka = createKafka(config.kafka, 'it-writer');
    const serde = new EventSerde(config.registry, config.topics);
    const topic = topicName('video-ingested', config.topics);
    try {
      const good = Array.from({ length: 30 }, (_, i) => ingestion(`writer-${String(i).padStart(2, '0')}`, `s3://b/${i}.mp4`));
      await publishOnce(kafka, serde, config.topics, good.slice(0, 15));
      await sendRaw(kafka, topic, [
        { key: 'garbage', value: Buffer.from('not avro at all') },
        { key: 'unknown-schema', value: frame(987_654, Buffer.from([2, 3])) },
        { key: 'tombstone', value: null },
      ]);
      await publishOnce(kafka, serde, config.topics, good.slice(15));

      const [projector] = await runProjectors({ config, log: createLogger('silent') }, ['videos']);
      try {
        const rows = await queryUntil<{ video_id: string }>(config, 'SELECT video_id FROM videos FINAL ORDER BY video_id', (r) => r.length === 30);
        expect(rows.map((r) => r.video_id)).toEqual(good.map((g) => g.value.video_id).sort());
        // The group went past the bad records too: 33 records, all committed (in writes of at most 7).
        const ends = await endOffsets(kafka, [topic]);
        expect([...ends.values()].reduce((n, e) => n + Number(e), 0)).toBe(33);
        await waitForGroup(kafka, projectorGroup('videos', config.topics.prefix), ends, 30_000);
      } finally {
        await projector!.stop();
      }
    } finally {
      await dropTestNamespace(config);
    }
  }, 120_000);
});
