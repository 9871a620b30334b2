import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { RegistryConfig } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';

export function createSchemaRegistry(config: RegistryConfig): SchemaRegistry {
  return new SchemaRegistry({ host: config.url });
}

async function registryRequest(config: RegistryConfig, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${config.url}${path}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    // fetch reports network failures as TypeError, which the taxonomy would take for a bug.
    throw new FilmroomError('SERVICE_UNAVAILABLE', `schema registry: ${method} ${config.url}${path} unreachable`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new FilmroomError('SERVICE_UNHEALTHY', `schema registry: ${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
  }
  return text ? JSON.parse(text) : null;
}

/** The registry's health check: a real GET of the subject list through the Confluent API. */
export async function listSubjects(config: RegistryConfig): Promise<string[]> {
  const subjects = await registryRequest(config, 'GET', '/subjects');
  if (!Array.isArray(subjects)) throw new FilmroomError('SERVICE_UNHEALTHY', 'schema registry: /subjects did not return a list');
  return subjects as string[];
}

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE';

export async function getGlobalCompatibility(config: RegistryConfig): Promise<string> {
  const answer = (await registryRequest(config, 'GET', '/config')) as { compatibilityLevel?: string; compatibility?: string };
  return answer.compatibilityLevel ?? answer.compatibility ?? 'UNKNOWN';
}

export async function setGlobalCompatibility(config: RegistryConfig, level: Compatibility): Promise<void> {
  await registryRequest(config, 'PUT', '/config', { compatibility: level });
}
