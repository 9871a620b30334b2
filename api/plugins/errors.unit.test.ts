import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { errorCodes, FilmroomError, type ErrorCode } from '../../common/errors.ts';
import errors, { statusOfCode } from './errors.ts';

async function appThrowing(error: () => unknown) {
  const app = Fastify({ logger: false });
  await app.register(errors);
  app.get('/', async () => {
    throw error();
  });
  app.post('/echo', { schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } } }, async (request) => request.body);
  return app;
}

describe('the error handler: the one place codes become statuses', () => {
  const expected: Partial<Record<ErrorCode, number>> = {
    USAGE: 400,
    VALIDATION_FAILED: 400,
    UNAUTHORIZED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    SOURCE_NOT_FOUND: 404,
    IDEMPOTENCY_KEY_REUSED: 422,
    UNPROCESSABLE: 422,
    PAYLOAD_TOO_LARGE: 413,
    UNSUPPORTED_MEDIA_TYPE: 415,
    NOT_YET_AVAILABLE: 501,
    SERVICE_UNAVAILABLE: 503,
    SERVICE_UNHEALTHY: 503,
  };

  it.each(Object.keys(errorCodes) as ErrorCode[])('maps %s to its status with { error, message }', async (code) => {
    const app = await appThrowing(() => new FilmroomError(code, `it failed: ${code}`, { cause: new Error('the cause') }));
    const response = await app.inject({ url: '/' });
    const status = expected[code] ?? statusOfCode[code] ?? (errorCodes[code].retriable ? 503 : 500);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ error: code, message: `it failed: ${code}: the cause` });
    await app.close();
  });

  it('adds WWW-Authenticate to 401 and per-item details as `errors`', async () => {
    const unauthorized = await appThrowing(() => new FilmroomError('UNAUTHORIZED', 'no key'));
    expect((await unauthorized.inject({ url: '/' })).headers['www-authenticate']).toBe('Bearer');
    const detailed = await appThrowing(() => new FilmroomError('VALIDATION_FAILED', 'rows', { details: [{ row: 'row 2', field: 'angle' }] }));
    expect((await detailed.inject({ url: '/' })).json()).toEqual({ error: 'VALIDATION_FAILED', message: 'rows', errors: [{ row: 'row 2', field: 'angle' }] });
  });

  it('answers schema failures 400 VALIDATION_FAILED naming the field, and unknown errors 500 without their message', async () => {
    const app = await appThrowing(() => new Error('a bug'));
    const invalid = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'one' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({ error: 'VALIDATION_FAILED', message: 'body/n must be integer' });
    const bug = await app.inject({ url: '/' });
    expect(bug.statusCode).toBe(500);
    // The bug's own message stays in the log: it may name hosts, paths or SQL.
    expect(bug.json()).toEqual({ error: 'INTERNAL', message: expect.stringMatching(/^internal error: see the server log for request \S+$/) });
    expect(bug.body).not.toContain('a bug');
  });

  it('keeps the status of Fastify’s own errors (malformed JSON)', async () => {
    const app = await appThrowing(() => undefined);
    const malformed = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"n": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
  });
});
