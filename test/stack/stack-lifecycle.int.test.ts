import { randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { GetObjectCommand, PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { isProcessRunning } from '../../deploy/local/processes.ts';
import { stackDown, stackStatus, stackUp } from '../../deploy/local/stack.ts';
import { localServices } from '../../deploy/local/services/index.ts';
import { createClickHouse } from '../../projections/clickhouse-client.ts';
import { createS3Client } from '../../storage/object-store.ts';
import { createKafka, describeCluster } from '../../streams/kafka-client.ts';
import { createSchemaRegistry, subjectVersions } from '../../streams/schema-registry.ts';
import { testConfig, testStackMode } from '../support/stack-config.ts';
import { readFirstRecord, sendRaw } from '../support/kafka-records.ts';

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe.skipIf(testStackMode() !== 'local')('local stack lifecycle: down stops only our processes, up finds the data again', () => {
  const config = testConfig();
  const token = randomUUID();
  const topic = `it-lifecycle-${token}`;
  const subject = `it-lifecycle-${token}-value`;
  const table = `it_lifecycle_${token.replaceAll('-', '')}`;
  const key = `it/lifecycle/${token}.txt`;

  async function writeOneOfEach(): Promise<string> {
    const kafka = createKafka(config.kafka, 'it-lifecycle');
    await kafka.admin((admin) => admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 }));
    await sendRaw(kafka, topic, [{ key: token, value: Buffer.from(token) }]);
    await createSchemaRegistry(config.registry).register(
      { type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Lifecycle', fields: [{ name: 'a', type: 'string' }] }) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    const ch = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    await ch.command({ query: `CREATE TABLE ${table} (token String) ENGINE = MergeTree ORDER BY token` });
    await ch.insert({ table, format: 'JSONEachRow', values: [{ token }] });
    await ch.close();
    const s3 = createS3Client(config.s3);
    await s3.send(new PutObjectCommand({ Bucket: config.s3.buckets.uploads, Key: key, Body: token }));
    s3.destroy();
    return (await describeCluster(kafka)).clusterId;
  }

  async function readOneOfEach(): Promise<{ clusterId: string; record: string; subjectVersions: number; rows: unknown; object: string }> {
    const kafka = createKafka(config.kafka, 'it-lifecycle');
    const record = await readFirstRecord(kafka, topic);
    const ch = createClickHouse(config.clickhouse, { database: config.clickhouse.database });
    const rows = await (await ch.query({ query: `SELECT token FROM ${table}`, format: 'JSONEachRow' })).json();
    await ch.command({ query: `DROP TABLE ${table}` });
    await ch.close();
    const s3 = createS3Client(config.s3);
    const object = await (await s3.send(new GetObjectCommand({ Bucket: config.s3.buckets.uploads, Key: key }))).Body!.transformToString();
    await s3.send(new DeleteObjectCommand({ Bucket: config.s3.buckets.uploads, Key: key }));
    s3.destroy();
    return {
      clusterId: (await describeCluster(kafka)).clusterId,
      record,
      subjectVersions: (await subjectVersions(config.registry, subject)).length,
      rows,
      object,
    };
  }

  it('given data in every service, when the stack goes down and up again, then every process was stopped and the data is still there', async () => {
    const clusterId = await writeOneOfEach();
    const before = await stackStatus(config);
    expect(before.map((r) => r.state)).toEqual(localServices.map(() => 'up'));
    const pids = before.map((r) => r.pid!);

    try {
      await stackDown(config);
      for (const pid of pids) expect(isProcessRunning(pid)).toBe(false);
      for (const service of localServices) for (const port of service.ports(config)) expect(await listening(port)).toBe(false);
      expect((await stackStatus(config)).map((r) => r.state)).toEqual(localServices.map(() => 'down'));
    } finally {
      // The other integration files share this stack: leave it up whatever happened above.
      await stackUp(config, createLogger('warn'));
    }
    const after = await readOneOfEach();
    expect(after).toEqual({ clusterId, record: token, subjectVersions: 1, rows: [{ token }], object: token });
  }, 300_000);
});
