import { describe, expect, it } from 'vitest';
import { createKafka } from '../../streams/kafka-client.ts';
import { productTopicEvents, provisionTopics, topicName } from '../../streams/topics.ts';
import { isolatedConfig } from '../support/echo-fixture.ts';

describe('topic provisioning (real broker)', () => {
  const config = isolatedConfig();
  const kafka = createKafka(config.kafka, 'it-topics');

  it('creates every event topic with the configured partitions and infinite retention, then only verifies them', async () => {
    const first = await provisionTopics(kafka, config.topics);
    expect(first.created.sort()).toEqual(productTopicEvents.map((e) => topicName(e, config.topics)).sort());
    expect(first.created).toContain(`${config.topics.prefix}filmroom.dead-letter`);

    await kafka.admin(async (admin) => {
      const metadata = await admin.metadata({ topics: first.created });
      expect(metadata.topics.size).toBe(first.created.length);
      for (const topic of metadata.topics.values()) expect(topic.partitionsCount).toBe(config.topics.partitions);
      const [described] = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ resourceType: 2, resourceName: topicName('batch-extracted', config.topics), configurationKeys: ['retention.ms'] }],
      });
      expect(described!.configs[0]!.value).toBe('-1');
    });

    const second = await provisionTopics(kafka, config.topics);
    expect(second.created).toEqual([]);
    expect(second.verified.sort()).toEqual(first.created.sort());
  });

  it('refuses an existing topic whose settings differ, naming the topic and the setting', async () => {
    const topic = topicName('video-ingested', config.topics);
    await kafka.admin(async (admin) => {
      await admin.alterConfigs({ resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', value: '3600000' }] }] });
      // The broker applies a config change asynchronously: wait until it reads back.
      await expect
        .poll(
          async () =>
            (
              await admin.describeConfigs({
                includeSynonyms: false,
                resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms'] }],
              })
            )[0]!.configs[0]!.value,
          { timeout: 10_000 },
        )
        .toBe('3600000');
    });
    await expect(provisionTopics(kafka, config.topics)).rejects.toThrow(`topic ${topic} has retention.ms=3600000, filmroom requires retention.ms=-1`);
    await expect(provisionTopics(kafka, { ...config.topics, partitions: 3 }, ['batch-detected'])).rejects.toThrow(/has 6 partitions, configured 3/);
  });
});
