import { ConfigResourceTypes, type Admin } from '@platformatic/kafka';
import type { KafkaClient } from './kafka-client.ts';
import type { TopicsConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import { retry } from '../common/retry.ts';
import { eventNames, type AnyEventName } from '../schemas/index.ts';

/**
 * The topic catalogue: which topic carries which event. Event topics keep their records forever
 * (they are the source of truth that projections are rebuilt from); so does the dead-letter topic,
 * whose records are the audit trail of what was given up on.
 */
export const topicOfEvent: Record<AnyEventName, string> = {
  'video-ingested': 'filmroom.video-ingested',
  'batch-extracted': 'filmroom.batch-extracted',
  'batch-detected': 'filmroom.batch-detected',
  'ocr-done': 'filmroom.ocr-done',
  'check-result': 'filmroom.check-result',
  'processing-failed': 'filmroom.dead-letter',
  'replay-requested': 'filmroom.replay-requested',
  'replay-completed': 'filmroom.replay-completed',
  'plays-imported': 'filmroom.plays-imported',
  'clips-requested': 'filmroom.clips-requested',
  'clip-extracted': 'filmroom.clip-extracted',
  'dataset-exported': 'filmroom.dataset-exported',
  'render-done': 'filmroom.render-done',
  'video-deleted': 'filmroom.video-deleted',
  'video-purged': 'filmroom.video-purged',
  'retry-requested': 'filmroom.retry-requested',
  'batch-tracked': 'filmroom.batch-tracked',
  'batch-scene-scored': 'filmroom.batch-scene-scored',
  'batch-transformed': 'filmroom.batch-transformed',
  'video-transformed': 'filmroom.video-transformed',
  'work-retrying': 'filmroom.work-retrying',
  'extract-segment-requested': 'filmroom.extract-segment-requested',
  'echo-requested': 'filmroom.test.echo-requested',
  'echo-emitted': 'filmroom.test.echo-emitted',
};

/** The product's events (every event but the test-only ones), whose topics projections read. */
export const productTopicEvents: AnyEventName[] = [...eventNames];

/** Settings every filmroom topic must have; provisioning verifies them on existing topics. */
export const requiredTopicSettings: Record<string, string> = {
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'cleanup.policy': 'delete',
};

export const topicName = (event: AnyEventName, topics: Pick<TopicsConfig, 'prefix'>) => `${topics.prefix}${topicOfEvent[event]}`;

/** Subject of an event's value schema under TopicNameStrategy. */
export const valueSubject = (event: AnyEventName, topics: Pick<TopicsConfig, 'prefix'>) => `${topicName(event, topics)}-value`;

export interface ProvisionReport {
  created: string[];
  verified: string[];
}

async function verifyTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  const metadata = await admin.metadata({ topics: [topic] });
  const actualPartitions = metadata.topics.get(topic)?.partitionsCount ?? 0;
  if (actualPartitions !== partitions) {
    throw new FilmroomError(
      'TOPIC_MISCONFIGURED',
      `topic ${topic} has ${actualPartitions} partitions, configured ${partitions} (FILMROOM_TOPIC_PARTITIONS): add partitions with kafka-topics --alter, or set the variable to ${actualPartitions}`,
      { context: { topic } },
    );
  }
  const [described] = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: Object.keys(requiredTopicSettings) }],
  });
  const entries = described?.configs ?? [];
  for (const [name, expected] of Object.entries(requiredTopicSettings)) {
    const actual = entries.find((entry) => entry.name === name)?.value;
    if (actual !== expected) {
      throw new FilmroomError('TOPIC_MISCONFIGURED', `topic ${topic} has ${name}=${actual}, filmroom requires ${name}=${expected}`, {
        context: { topic, setting: name },
      });
    }
  }
}

async function createTopics(admin: Admin, missing: string[], partitions: number): Promise<void> {
  await createTopicsWith(
    admin,
    missing,
    partitions,
    Object.entries(requiredTopicSettings).map(([name, value]) => ({ name, value })),
  );
}

async function createTopicsWith(admin: Admin, missing: string[], partitions: number, configs: { name: string; value: string }[]): Promise<void> {
  await admin.createTopics({ topics: missing, partitions, replicas: -1, configs }).catch(async (error: unknown) => {
    // Another process may have created some of them meanwhile: that is what was wanted.
    const existing = new Set(await admin.listTopics());
    if (!missing.every((topic) => existing.has(topic))) throw error;
  });
  await topicsKnown(admin, missing);
}

/**
 * Waits until the brokers serve these topics' metadata with a leader for every partition: a topic
 * created a moment ago (by this process or another) has none for a moment.
 */
function topicsKnown(admin: Admin, topics: string[]): Promise<unknown> {
  return retry(
    async () => {
      const metadata = await admin.metadata({ topics, forceUpdate: true });
      for (const topic of topics) {
        const known = metadata.topics.get(topic);
        if (!known || known.partitions.some((p) => p === undefined || p.leader < 0)) throw new Error(`topic ${topic} has no leader yet`);
      }
    },
    { maxAttempts: 20, initialDelayMs: 100, maxDelayMs: 1000, factor: 2 },
  );
}

/**
 * Creates the topics for the given events that do not exist yet and verifies the settings of the
 * ones that do. Idempotent: safe at every start of every process.
 */
export async function provisionTopics(kafka: KafkaClient, topics: TopicsConfig, events: AnyEventName[] = productTopicEvents): Promise<ProvisionReport> {
  return kafka.admin(async (admin) => {
    const wanted = [...new Set(events.map((event) => topicName(event, topics)))];
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await createTopics(admin, missing, topics.partitions);
    }
    const verified = wanted.filter((topic) => existing.has(topic));
    if (verified.length > 0) await topicsKnown(admin, verified);
    for (const topic of verified) await verifyTopic(admin, topic, topics.partitions);
    return { created: missing, verified };
  });
}

/** Creates plain topics (benches, health checks) unless they exist, and waits until every partition has a leader. */
export async function ensureTopics(kafka: KafkaClient, names: string[], partitions: number, configs: { name: string; value: string }[] = []): Promise<void> {
  await kafka.admin(async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((name) => !existing.has(name));
    if (missing.length > 0) await createTopicsWith(admin, missing, partitions, configs);
    await topicsKnown(admin, names);
  });
}
