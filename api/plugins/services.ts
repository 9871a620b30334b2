import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../common/config.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import type { EventLog } from '../../streams/event-log.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** Reads about the event log beside the events port: readiness, consumer lag, a replay's target offsets. */
    eventLog: EventLog;
    objectStore: ObjectStore;
  }
}

/** Decorates the app with its validated config and the ports the composition root built. */
export default fp(
  async (app: FastifyInstance, options: { config: Config; eventLog: EventLog; objectStore: ObjectStore }) => {
    app.decorate('config', options.config);
    app.decorate('eventLog', options.eventLog);
    app.decorate('objectStore', options.objectStore);
  },
  { name: 'filmroom-services' },
);
