import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { RegistryConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';

class RegistryHttpError extends FilmroomError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    // 5xx and 429 may pass; a 4xx will answer the same next time.
    super('SERVICE_UNAVAILABLE', message, { retriable: status >= 500 || status === 429, context: { status } });
  }
}

async function registryRequest(config: RegistryConfig, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${config.url}${path}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    // fetch reports network failures as TypeError, which the taxonomy would take for a bug.
    throw new FilmroomError('SERVICE_UNAVAILABLE', `schema registry: ${method} ${config.url}${path} unreachable`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) throw new RegistryHttpError(response.status, `schema registry: ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** The registry's health check: a real GET of the subject list through the Confluent API. */
export async function listSubjects(config: RegistryConfig): Promise<string[]> {
  const subjects = await registryRequest(config, 'GET', '/subjects');
  if (!Array.isArray(subjects)) throw new FilmroomError('SERVICE_UNHEALTHY', 'schema registry: /subjects did not return a list');
  return subjects as string[];
}

/**
 * The versions registered under one subject (empty when it has none). Asked per subject: the
 * registry's /subjects lists at most 1,000, and a long-lived registry (tests' prefixes) holds more.
 */
export async function subjectVersions(config: RegistryConfig, subject: string): Promise<number[]> {
  try {
    const versions = await registryRequest(config, 'GET', `/subjects/${encodeURIComponent(subject)}/versions`);
    return Array.isArray(versions) ? (versions as number[]) : [];
  } catch (error) {
    if (error instanceof RegistryHttpError && error.status === 404) return [];
    throw error;
  }
}

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE';

export async function getGlobalCompatibility(config: RegistryConfig): Promise<string> {
  const answer = (await registryRequest(config, 'GET', '/config')) as { compatibilityLevel?: string; compatibility?: string };
  return answer.compatibilityLevel ?? answer.compatibility ?? 'UNKNOWN';
}

export async function setGlobalCompatibility(config: RegistryConfig, level: Compatibility): Promise<void> {
  await registryRequest(config, 'PUT', '/config', { compatibility: level });
}

export async function setSubjectCompatibility(config: RegistryConfig, subject: string, level: Compatibility): Promise<void> {
  const put = () => registryRequest(config, 'PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  await put().catch((error: unknown) => {
    // Apicurio answers 409 ("a rule named 'COMPATIBILITY' already exists") when another process
    // created the subject's rule between its look and its create (instances starting together):
    // the rule exists now, so the second PUT updates it.
    if (error instanceof RegistryHttpError && error.status === 409) return put();
    throw error;
  });
}

/** The schema text registered under an id. An id the registry does not know is a permanent error. */
export async function getSchemaById(config: RegistryConfig, id: number): Promise<string> {
  try {
    const answer = (await registryRequest(config, 'GET', `/schemas/ids/${id}`)) as { schema?: string };
    if (typeof answer?.schema !== 'string') throw new FilmroomError('SERVICE_UNAVAILABLE', `schema registry: no schema text for id ${id}`);
    return answer.schema;
  } catch (error) {
    if (error instanceof RegistryHttpError && error.status === 404) {
      throw new FilmroomError('UNKNOWN_SCHEMA', `schema id ${id} is not known to the schema registry`, { cause: error, context: { schemaId: id } });
    }
    throw error;
  }
}

/** Deletes a subject (soft, then permanent): used to clean up test subjects. */
export async function deleteSubject(config: RegistryConfig, subject: string): Promise<void> {
  await registryRequest(config, 'DELETE', `/subjects/${encodeURIComponent(subject)}`).catch(() => undefined);
  await registryRequest(config, 'DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`).catch(() => undefined);
}

/** The Confluent client library's API, for tests and tools; filmroom's own serde lives in serde.ts. */
export function createSchemaRegistry(config: RegistryConfig): SchemaRegistry {
  return new SchemaRegistry({ host: config.url });
}
