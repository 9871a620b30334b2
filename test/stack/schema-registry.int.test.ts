import { randomUUID } from 'node:crypto';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { createSchemaRegistry, getGlobalCompatibility, subjectVersions } from '../../streams/schema-registry.ts';
import { testConfig } from '../support/stack-config.ts';

const schemaV1 = {
  type: 'record',
  name: 'ProbeEvent',
  namespace: 'filmroom.test',
  fields: [{ name: 'video_id', type: 'string' }],
};

describe('Schema registry (real, Confluent API)', () => {
  const config = testConfig();
  const registry = createSchemaRegistry(config.registry);
  const subject = `it-registry-${randomUUID()}-value`;

  it('runs with BACKWARD as the global compatibility rule', async () => {
    expect(await getGlobalCompatibility(config.registry)).toBe('BACKWARD');
  });

  it('given a registered Avro schema, fetches it back by id and round-trips a record in Confluent wire format', async () => {
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schemaV1) }, { subject, compatibility: COMPATIBILITY.BACKWARD });
    expect(id).toBeGreaterThan(0);
    expect(await subjectVersions(config.registry, subject)).not.toEqual([]);
    const fetched = (await (await fetch(`${config.registry.url}/schemas/ids/${id}`)).json()) as { schema: string };
    expect(JSON.parse(fetched.schema)).toEqual(schemaV1);

    const encoded = await registry.encode(id, { video_id: 'v-1' });
    expect(encoded[0]).toBe(0); // magic byte
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ video_id: 'v-1' });
  });

  it('rejects an incompatible new version (a required field without default) with a clear error', async () => {
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schemaV1) }, { subject, compatibility: COMPATIBILITY.BACKWARD });
    const incompatible = { ...schemaV1, fields: [...schemaV1.fields, { name: 'batch_index', type: 'int' }] };
    await expect(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible) }, { subject, compatibility: COMPATIBILITY.BACKWARD }),
    ).rejects.toThrow(/incompatible|compatib/i);
  });
});
