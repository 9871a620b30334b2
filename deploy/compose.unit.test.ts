import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../common/config.ts';
import { kafkaVersion } from './local/services/kafka.ts';
import { apicurioVersion } from './local/services/schema-registry.ts';
import { localServices } from './local/services/index.ts';

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };

  it('parses and has a service, from an image, for every service the local stack runs', () => {
    for (const service of localServices) {
      expect(compose.services[service.composeService], `compose service for ${service.name}`).toBeDefined();
      expect(compose.services[service.composeService]!.image).toMatch(/^[a-z0-9./-]+:[\w.-]+$/);
    }
  });

  it('runs the same Kafka and registry versions as the local stack, and filmroom from the project Dockerfile', () => {
    expect(compose.services.kafka!.image).toBe(`apache/kafka:${kafkaVersion}`);
    expect(compose.services.kafka!.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(compose.services['schema-registry']!.image).toBe(`apicurio/apicurio-registry:${apicurioVersion}`);
    expect(compose.services.filmroom!.build).toBe('.');
  });
});
