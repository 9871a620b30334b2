import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ReadModel } from '../../projections/read-model/port.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every query the routes make (no SQL in routes). */
    readModel: ReadModel;
  }
}

/** Decorates the app with the read model the composition root built (ClickHouse, or in memory in unit tests). */
export default fp(
  async (app: FastifyInstance, options: { readModel: ReadModel }) => {
    app.decorate('readModel', options.readModel);
  },
  { name: 'filmroom-read-model' },
);
