import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { FilmroomError, describeError, type ErrorCode } from '../../common/errors.ts';

/** The only place where error codes become HTTP statuses. */
const statusOf: Partial<Record<ErrorCode, number>> = {
  USAGE: 400,
  MALFORMED_EVENT: 400,
  CONFIG_INVALID: 400,
  SOURCE_NOT_FOUND: 404,
  NOT_YET_AVAILABLE: 501,
  SERVICE_UNAVAILABLE: 503,
  SERVICE_UNHEALTHY: 503,
};

export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | FilmroomError, request, reply) => {
      if (error instanceof FilmroomError) {
        const status = statusOf[error.code] ?? (error.retriable ? 503 : 500);
        if (status >= 500) request.log.error({ err: error }, 'request failed');
        return reply.status(status).send({ error: error.code, message: describeError(error) });
      }
      const fastifyError = error as FastifyError;
      if (fastifyError.validation) {
        // Name the field: "body/options/batch_size must be integer", "body must NOT have additional properties: colour".
        const details = fastifyError.validation.map((v) => {
          const where = `${fastifyError.validationContext ?? 'request'}${v.instancePath || ''}`;
          const extra = (v.params as { additionalProperty?: string }).additionalProperty;
          return `${where} ${v.message}${extra ? `: ${extra}` : ''}`;
        });
        return reply.status(400).send({ error: 'VALIDATION_FAILED', message: details.join('; ') });
      }
      const status = fastifyError.statusCode && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.status(status).send({ error: fastifyError.code ?? 'ERROR', message: fastifyError.message });
    });
  },
  { name: 'filmroom-errors' },
);
