import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { EventPublisher } from '../../streams/event-publisher.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The process's one events producer: routes emit events through it. */
    publisher: EventPublisher;
  }
}

/** Decorates the app with the events port the composition root built (Kafka, or in memory in unit tests). */
export default fp(
  async (app: FastifyInstance, options: { publisher: EventPublisher }) => {
    app.decorate('publisher', options.publisher);
  },
  { name: 'filmroom-publisher' },
);
