import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Kafka } from 'kafkajs';
import type { Config } from '../../common/config.ts';
import { createClickHouse, type ClickHouse } from '../../projections/clickhouse-client.ts';
import { createS3Client } from '../../storage/object-store.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { EventSerde } from '../../streams/serde.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    kafka: Kafka;
    serde: EventSerde;
    clickhouse: ClickHouse;
    s3: S3Client;
  }
}

/** The clients the routes use, created once and released when the app closes. */
export default fp(
  async (app: FastifyInstance, options: { config: Config }) => {
    const { config } = options;
    app.decorate('config', config);
    app.decorate('kafka', createKafka(config.kafka, 'filmroom-api'));
    app.decorate('serde', new EventSerde(config.registry, config.topics));
    app.decorate('clickhouse', createClickHouse(config.clickhouse, { database: config.clickhouse.database }));
    app.decorate('s3', createS3Client(config.s3));
    app.addHook('onClose', async () => {
      await app.clickhouse.close();
      app.s3.destroy();
    });
  },
  { name: 'filmroom-services' },
);
