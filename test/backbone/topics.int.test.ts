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

    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: first.created });
    for (const topic of metadata.topics) expect(topic.partitions).toHaveLength(config.topics.partitions);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topicName('batch-extracted', config.topics), configNames: ['retention.ms'] }],
    });
    expect(described.resources[0]!.configEntries[0]!.configValue).toBe('-1');
    await admin.disconnect();

    const second = await provisionTopics(kafka, config.topics);
    expect(second.created).toEqual([]);
    expect(second.verified.sort()).toEqual(first.created.sort());
  });

  it('refuses an existing topic whose settings differ, naming the topic and the setting', async () => {
    const topic = topicName('video-ingested', config.topics);
    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    // The broker applies a config change asynchronously: wait until it reads back.
    await expect
      .poll(
        async () =>
          (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }] })).resources[0]!
            .configEntries[0]!.configValue,
        { timeout: 10_000 },
      )
      .toBe('3600000');
    await admin.disconnect();
    await expect(provisionTopics(kafka, config.topics)).rejects.toThrow(`topic ${topic} has retention.ms=3600000, filmroom requires retention.ms=-1`);
    await expect(provisionTopics(kafka, { ...config.topics, partitions: 3 }, ['batch-detected'])).rejects.toThrow(/has 6 partitions, configured 3/);
  });
});
