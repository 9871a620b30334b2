import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { FilmroomError } from '../../common/errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    idempotency: IdempotencyRecord;
  }
}

/** A request's fingerprint: the SHA-256 of its normalised fields as JSON (keys sorted, so field order does not matter). */
export function fingerprintOf(fields: Record<string, unknown>): string {
  const canonical = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, canonical(v)]),
        )
      : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(fields)))
    .digest('hex');
}

export const reusedKey = (key: string) =>
  new FilmroomError('IDEMPOTENCY_KEY_REUSED', `header Idempotency-Key '${key}' was sent before with another request: use a new key for a new request`, {
    context: { field: 'idempotency-key' },
  });

interface Entry {
  fingerprint: string;
  answer: Promise<unknown>;
  at: number;
}

/**
 * The answers this API instance gave to requests with an `Idempotency-Key` (IETF
 * draft-ietf-httpapi-idempotency-key-header): the same key with the same request gets the first
 * answer again, the same key with another request is refused (422). It covers the seconds between
 * an answer and its event reaching the projections, in this process; the routes fall back on the
 * projections for keys older than that or sent to another instance. Bounded: the oldest entries go
 * first, and none outlives `ttlMs` (the draft lets a server expire keys).
 */
export class IdempotencyRecord {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: { maxEntries: number; ttlMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The answer to a keyed request: the first answer for this scope and key when the fingerprint
   * matches (also while the first request is still running: the repeat waits for it), a 422 when it
   * does not, else what `answer()` gives, recorded. A failed answer is forgotten, so a retry may succeed.
   */
  async once<T>(scope: string, key: string, fingerprint: string, answer: () => Promise<T>): Promise<{ answer: T; repeated: boolean }> {
    const id = `${scope}\u0000${key}`;
    this.expire();
    const entry = this.entries.get(id);
    if (entry) {
      if (entry.fingerprint !== fingerprint) throw reusedKey(key);
      return { answer: (await entry.answer) as T, repeated: true };
    }
    const pending = answer();
    this.entries.set(id, { fingerprint, answer: pending, at: this.now() });
    while (this.entries.size > this.limits.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    try {
      return { answer: await pending, repeated: false };
    } catch (error) {
      if (this.entries.get(id)?.answer === pending) this.entries.delete(id);
      throw error;
    }
  }

  /** Records what this instance answered, without a request to compare (e.g. a replay's state until the projections have it). */
  remember(scope: string, key: string, answer: unknown): void {
    const id = `${scope}\u0000${key}`;
    this.entries.delete(id);
    this.entries.set(id, { fingerprint: '', answer: Promise.resolve(answer), at: this.now() });
    while (this.entries.size > this.limits.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Drops the recorded answer for this scope and key, if any. */
  forget(scope: string, key: string): void {
    this.entries.delete(`${scope}\u0000${key}`);
  }

  /** The recorded answer for this scope and key, if this instance gave one (and it succeeded). */
  async recall<T>(scope: string, key: string): Promise<T | undefined> {
    this.expire();
    const entry = this.entries.get(`${scope}\u0000${key}`);
    return entry ? ((await entry.answer.catch(() => undefined)) as T | undefined) : undefined;
  }

  private expire() {
    const oldest = this.now() - this.limits.ttlMs;
    for (const [id, entry] of this.entries) {
      if (entry.at >= oldest) break;
      this.entries.delete(id);
    }
  }
}

/** Decorates the app with its idempotency record (entries in insertion order, so the oldest expire first). */
export default fp(
  async (app: FastifyInstance) => {
    // Room for a few bulk ingests of 10,000 videos (one entry per video registered, see video-presence.ts) besides keyed requests.
    app.decorate('idempotency', new IdempotencyRecord({ maxEntries: 50_000, ttlMs: 24 * 3600 * 1000 }));
  },
  { name: 'filmroom-idempotency' },
);
