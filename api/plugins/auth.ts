import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiConfig } from '../../common/config.ts';
import { FilmroomError } from '../../common/errors.ts';

export type Role = 'uploader' | 'reader' | 'operator';

declare module 'fastify' {
  interface FastifyInstance {
    /** A preHandler that lets through requests whose bearer key has one of the roles. */
    requireRole(...roles: Role[]): (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    apiKeyName?: string;
  }
}

const equal = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Bearer API keys with roles (FILMROOM_API_KEYS): uploader (ingest), reader (queries, exports),
 * operator (replays, deletions, retries; may also read and ingest: the one key that can do everything). 401 without a valid key, 403 for the wrong role. Keys are
 * compared in constant time and never logged (the logger redacts the Authorization header).
 */
export default fp(
  async (app: FastifyInstance, options: { keys: ApiConfig['keys'] }) => {
    const grants: Record<Role, Role[]> = { uploader: ['uploader'], reader: ['reader'], operator: ['operator', 'reader', 'uploader'] };
    app.decorate('requireRole', (...roles: Role[]) => async (request: FastifyRequest) => {
      const header = request.headers.authorization ?? '';
      const secret = /^Bearer (\S+)$/.exec(header)?.[1];
      const key = secret ? options.keys.find((k) => equal(k.secret, secret)) : undefined;
      if (!key) throw new FilmroomError('UNAUTHORIZED', 'a valid API key is required: Authorization: Bearer <key>');
      request.apiKeyName = key.name;
      if (!roles.some((role) => grants[key.role].includes(role)))
        throw new FilmroomError('FORBIDDEN', `API key '${key.name}' (${key.role}) may not do this: needs ${roles.join(' or ')}`);
    });
  },
  { name: 'filmroom-auth' },
);
