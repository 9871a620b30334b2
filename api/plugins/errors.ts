import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { FilmroomError, describeError, type ErrorCode } from '../../common/errors.ts';

/** The only place where error codes become HTTP statuses; codes not listed are 503 when retriable, else 500. */
export const statusOfCode: Partial<Record<ErrorCode, number>> = {
  USAGE: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_EVENT: 400,
  CONFIG_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SOURCE_NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNPROCESSABLE: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_YET_AVAILABLE: 501,
  SERVICE_UNAVAILABLE: 503,
  SERVICE_UNHEALTHY: 503,
};

/** Every error answer is `{ error: <code>, message }` (plus `errors` when there are per-item problems). */
export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | FilmroomError, request, reply) => {
      if (error instanceof FilmroomError) {
        const status = statusOfCode[error.code] ?? (error.retriable ? 503 : 500);
        if (status >= 500) request.log.error({ err: error }, 'request failed');
        if (error.code === 'UNAUTHORIZED') void reply.header('www-authenticate', 'Bearer');
        return reply.status(status).send({ error: error.code, message: describeError(error), ...(error.details ? { errors: error.details } : {}) });
      }
      const fastifyError = error as FastifyError;
      if (fastifyError.validation) {
        // Name the field: "body/options/batch_size must be integer", "body must NOT have additional properties: colour".
        // A described `anyOf` says what it needs in its description: its branches' errors are left out.
        const described = fastifyError.validation.filter(
          (v) => v.keyword === 'anyOf' && (v as { parentSchema?: { description?: string } }).parentSchema?.description,
        );
        const branchOfDescribed = (v: (typeof described)[number]) => described.some((d) => v !== d && v.schemaPath.startsWith(`${d.schemaPath}/`));
        const details = fastifyError.validation
          .filter((v) => !branchOfDescribed(v))
          .map((v) => {
            const where = `${fastifyError.validationContext ?? 'request'}${v.instancePath || ''}`;
            const extra = (v.params as { additionalProperty?: string }).additionalProperty;
            // "must NOT be valid" says nothing: a `not` in our schemas says what it refuses in its description.
            const refused =
              v.keyword === 'not' || v.keyword === 'anyOf' ? (v as { parentSchema?: { description?: string } }).parentSchema?.description : undefined;
            if (refused) return `${where} ${refused}`;
            return `${where} ${v.message}${extra ? `: ${extra}` : ''}`;
          });
        return reply.status(400).send({ error: 'VALIDATION_FAILED', message: details.join('; ') });
      }
      // Fastify's own errors (a body over the limit, malformed JSON) carry their status and code.
      const status = fastifyError.statusCode && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
      if (status >= 500) {
        // An unexpected error is a bug: its message may name internals (hosts, paths, SQL), so it stays in the log.
        request.log.error({ err: error }, 'request failed');
        return reply.status(status).send({ error: 'INTERNAL', message: `internal error: see the server log for request ${request.id}` });
      }
      return reply.status(status).send({ error: fastifyError.code ?? 'ERROR', message: fastifyError.message });
    });
  },
  { name: 'filmroom-errors' },
);
