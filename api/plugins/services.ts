import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Kafka } from 'kafkajs';
import type { Config } from '../../common/config.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** Cluster reads beside the events port: readiness, consumer lag, a replay's target offsets. */
    kafka: Kafka;
    s3: S3Client;
  }
}

/** Decorates the app with its validated config and the clients the composition root built. */
export default fp(
  async (app: FastifyInstance, options: { config: Config; kafka: Kafka; s3: S3Client }) => {
    app.decorate('config', options.config);
    app.decorate('kafka', options.kafka);
    app.decorate('s3', options.s3);
  },
  { name: 'filmroom-services' },
);
