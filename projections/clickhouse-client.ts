import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';

/** A name ClickHouse takes unquoted (database, table): what may be written into SQL text. */
const sqlIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Values bound to a query: strings, numbers, booleans and string lists. */
export type SqlParams = Record<string, string | number | boolean | string[]>;

/** A ClickHouse client that can also run SELECTs with bound values (`select`, `selectStream`). */
export type ClickHouse = ClickHouseClient & {
  /** Rows of a SELECT (JSONEachRow), its values bound through `params`; see `param`. */
  select<T>(sql: string, params?: SqlParams): Promise<T[]>;
  /** The same, streamed row by row. */
  selectStream<T>(sql: string, params?: SqlParams): AsyncGenerator<T>;
  /** Inserts a JSONEachRow body already encoded (see `JsonLines`); resolves once ClickHouse acknowledged it. */
  insertJsonLines(table: string, body: Buffer[]): Promise<void>;
};

/**
 * A bound value in SQL: `(SELECT name FROM params)`. Values never enter the SQL text: they travel
 * beside it as ClickHouse's external data, a one-row table `params` the server reads as data. The
 * Debian 18.16 server has no `{name:Type}` query parameters, but it has external data, as current
 * releases do.
 */
export function param(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`bad parameter name ${name}`);
  return `(SELECT ${name} FROM params)`;
}

/** The external table's structure for these values, e.g. `prefix String, limit Int64` (pure). */
export function paramsStructure(params: SqlParams): string {
  return Object.entries(params)
    .map(([name, value]) => {
      param(name);
      if (Array.isArray(value)) return `${name} Array(String)`;
      if (typeof value === 'boolean') return `${name} UInt8`;
      if (typeof value === 'number') return `${name} ${Number.isInteger(value) ? 'Int64' : 'Float64'}`;
      return `${name} String`;
    })
    .join(', ');
}

/** The external table's one row (JSONEachRow). */
export function paramsRow(params: SqlParams): string {
  return JSON.stringify(Object.fromEntries(Object.entries(params).map(([name, value]) => [name, typeof value === 'boolean' ? Number(value) : value])));
}

/** Where and as whom SELECTs with bound values go: the HTTP interface, Basic auth. */
interface SelectTarget {
  url: string;
  database: string | undefined;
  authorization: string;
}

/** POSTs a SELECT with its values as external data; one fresh try when a pooled connection was closed. */
async function postSelect(target: SelectTarget, sql: string, params: SqlParams): Promise<Response> {
  const url = new URL(target.url);
  if (target.database) url.searchParams.set('database', target.database);
  url.searchParams.set('query', `${sql}\nFORMAT JSONEachRow`);
  // The values go as a multipart file part; with none, the body stays empty (18.16 refuses an empty multipart form).
  let body: FormData | undefined;
  if (Object.keys(params).length > 0) {
    url.searchParams.set('params_structure', paramsStructure(params));
    url.searchParams.set('params_format', 'JSONEachRow');
    body = new FormData();
    body.set('params', new Blob([paramsRow(params)]), 'params');
  }
  // A SELECT is safe to send again: a pooled connection the server closed while idle (EPIPE,
  // ECONNRESET) gets one fresh try before the failure reaches the caller.
  const send = () =>
    fetch(url, { method: 'POST', ...(body ? { body } : {}), headers: { authorization: target.authorization }, signal: AbortSignal.timeout(30_000) });
  let response: Response;
  try {
    response = await send().catch((error: unknown) => (isStaleConnection(error) ? send() : Promise.reject(error)));
  } catch (error) {
    throw new FilmroomError('SERVICE_UNAVAILABLE', `clickhouse: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    const text = (await response.text()).trim();
    const serverTrouble = response.status >= 500 && !/DB::Exception/.test(text);
    throw new FilmroomError(serverTrouble ? 'SERVICE_UNAVAILABLE' : 'HANDLER_FAILED', `clickhouse: ${text}`, { retriable: serverTrouble });
  }
  return response;
}

/** The rows of a JSONEachRow answer, one at a time as they arrive. */
async function* jsonEachRow<T>(response: Response): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      if (line.trim()) yield JSON.parse(line) as T;
    }
  }
  if (buffered.trim()) yield JSON.parse(buffered) as T;
}

/**
 * The one ClickHouse client factory. Works against the Debian 18.16 server and current releases.
 * Queries with user-supplied values go through `select`/`selectStream` (bound values); the
 * client's own `query_params` are not used, since 18.16 does not know them.
 */
export function createClickHouse(config: ClickHouseConfig, options: { database?: string; requestTimeoutMs?: number } = {}): ClickHouse {
  const client = createClient({
    url: config.url,
    username: config.user,
    password: config.password,
    ...(options.database ? { database: options.database } : {}),
    request_timeout: options.requestTimeoutMs ?? 30_000,
    // Failures reach callers as errors and are logged once by them; the client's own logger would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const target: SelectTarget = {
    url: config.url,
    database: options.database,
    authorization: `Basic ${Buffer.from(`${config.user}:${config.password}`).toString('base64')}`,
  };
  const selectStream = async function* <T>(sql: string, params: SqlParams = {}): AsyncGenerator<T> {
    yield* jsonEachRow<T>(await postSelect(target, sql, params));
  };
  return Object.assign(client, {
    select: async <T>(sql: string, params: SqlParams = {}) => {
      const rows: T[] = [];
      for await (const row of selectStream<T>(sql, params)) rows.push(row);
      return rows;
    },
    selectStream,
    insertJsonLines: async (table: string, body: Buffer[]) => {
      if (!sqlIdentifier.test(table)) throw new TypeError(`bad table name ${table}`);
      if (body.length === 0) return;
      const result = await client.exec({ query: `INSERT INTO ${table} FORMAT JSONEachRow`, values: Readable.from(body) });
      // The answer is empty; reading it to the end hands the connection back to the pool.
      for await (const _ of result.stream);
    },
  });
}

/** A fetch that failed because its pooled connection was already closed by the server. */
export function isStaleConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  return ['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(cause?.code ?? '');
}

export async function serverVersion(client: ClickHouseClient): Promise<string> {
  const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const rows = (await result.json()) as { version: string }[];
  const version = rows[0]?.version;
  if (!version) throw new FilmroomError('SERVICE_UNHEALTHY', 'clickhouse: SELECT version() returned no row');
  return version;
}

/** The health check: a real `SELECT 1` through the HTTP interface. */
export async function selectOne(client: ClickHouseClient): Promise<void> {
  const result = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
  const rows = (await result.json()) as { one: number }[];
  if (Number(rows[0]?.one) !== 1) throw new FilmroomError('SERVICE_UNHEALTHY', 'clickhouse: SELECT 1 did not return 1');
}

export async function ensureDatabase(client: ClickHouseClient, database: string): Promise<void> {
  if (!sqlIdentifier.test(database)) throw new FilmroomError('CONFIG_INVALID', `invalid ClickHouse database name ${database}`);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
}
