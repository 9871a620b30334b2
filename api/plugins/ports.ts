import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../common/config.ts';
import type { ReadModel } from '../../projections/read-model/port.ts';
import type { ObjectStore } from '../../storage/ports.ts';
import type { EventLog } from '../../streams/event-log.ts';
import type { EventPublisher } from '../../streams/event-publisher.ts';

/** The config and the ports the routes use, built by the composition root (api/server.ts) or a unit test. */
export interface AppPorts {
  config: Config;
  /** Every query the routes make (no SQL in routes). */
  readModel: ReadModel;
  /** The process's one events producer: routes emit events through it. */
  publisher: EventPublisher;
  /** Reads about the event log itself: readiness, consumer lag, a replay's target offsets. */
  eventLog: EventLog;
  objectStore: ObjectStore;
}

declare module 'fastify' {
  interface FastifyInstance extends AppPorts {}
}

/** Decorates the app with its validated config and its ports (real ones, or in memory in unit tests). */
export default fp(
  async (app: FastifyInstance, ports: AppPorts) => {
    app.decorate('config', ports.config);
    app.decorate('readModel', ports.readModel);
    app.decorate('publisher', ports.publisher);
    app.decorate('eventLog', ports.eventLog);
    app.decorate('objectStore', ports.objectStore);
  },
  { name: 'filmroom-ports' },
);
