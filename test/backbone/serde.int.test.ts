import { describe, expect, it } from 'vitest';
import type avro from 'avsc';
import { eventSchemas, parseEventSchema, type VideoIngested } from '../../schemas/index.ts';
import { getSchemaById, subjectVersions } from '../../streams/schema-registry.ts';
import { EventSerde, frame } from '../../streams/serde.ts';
import { productTopicEvents, valueSubject } from '../../streams/topics.ts';
import { isolatedConfig } from '../support/echo-fixture.ts';

const ingested: VideoIngested = {
  event_id: 'e-1',
  occurred_at: 1_700_000_000_000,
  producer: { name: 'test', version: '0' },
  video_id: 'game-1',
  run_id: '',
  source_uri: 's3://filmroom-uploads/game-1.mp4',
  source_fingerprint: '',
  container: 'VIDEO',
  session_metadata: { map: 'dust2' },
  options: { sample_fps: 1, sample_stride: null, batch_size: 30, stages: ['EXTRACT', 'CHECKS'], detectors: ['objects', 'text'], transform: '' },
  ingested_at: 1_700_000_000_000,
  uploader: 'cli',
};

/** v2 of VideoIngested as a later release might write it: one new optional field with a default. */
function withField(base: avro.Schema, field: object): avro.Schema {
  const record = structuredClone(base) as { fields: object[] };
  record.fields.push(field);
  return record as unknown as avro.Schema;
}

describe('serde and schemas against the real registry', () => {
  const config = isolatedConfig();

  it('registers every event schema under its TopicNameStrategy subject, with BACKWARD compatibility', async () => {
    const serde = new EventSerde(config.registry, config.topics);
    const ids = await serde.registerWriters(productTopicEvents);
    for (const event of productTopicEvents) {
      expect(await subjectVersions(config.registry, valueSubject(event, config.topics)), event).not.toEqual([]);
      // The registry may drop redundant namespaces; the canonical form (what Avro compares) must be the same.
      const registered = parseEventSchema(JSON.parse(await getSchemaById(config.registry, ids.get(event)!)) as avro.Schema);
      expect(registered.equals(eventSchemas[event].type), event).toBe(true);
    }
    const compatibility = await fetch(`${config.registry.url}/config/${valueSubject('video-ingested', config.topics)}`).then((r) => r.json());
    expect(compatibility).toEqual({ compatibilityLevel: 'BACKWARD' });
  });

  it('rejects an incompatible change (a new field without default) with a message naming the subject and the rule', async () => {
    const serde = new EventSerde(config.registry, config.topics);
    await serde.registerWriters(['video-ingested']);
    const subject = valueSubject('video-ingested', config.topics);
    const incompatible = withField(eventSchemas['video-ingested'].expanded, { name: 'camera_angle', type: 'string' });
    const error = await serde.registerSchema(subject, incompatible).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', retriable: false });
    expect((error as Error).message).toContain(`schema for ${subject} is not BACKWARD compatible`);
  });

  it('given v1 and v2 writers, a v1 reader reads v2 events and a v2 reader reads v1 events', async () => {
    const serde = new EventSerde(config.registry, config.topics);
    const subject = valueSubject('video-ingested', config.topics);
    const v1Schema = eventSchemas['video-ingested'].expanded;
    const v2Schema = withField(v1Schema, { name: 'camera_angle', type: ['null', 'string'], default: null, doc: 'added in v2' });
    const v1Id = await serde.registerSchema(subject, v1Schema);
    const v2Id = await serde.registerSchema(subject, v2Schema);
    expect(v2Id).not.toBe(v1Id);
    const v1Type = parseEventSchema(v1Schema);
    const v2Type = parseEventSchema(v2Schema);

    const writtenByV1 = frame(v1Id, v1Type.toBuffer(ingested));
    const writtenByV2 = frame(v2Id, v2Type.toBuffer({ ...ingested, camera_angle: 'FAR_LEFT' }));

    const v1ReadsV2 = await serde.decode('video-ingested', writtenByV2, v1Type);
    expect(v1ReadsV2).toEqual(ingested);
    expect(v1ReadsV2).not.toHaveProperty('camera_angle');
    expect(await serde.decode('video-ingested', writtenByV1, v2Type)).toEqual({ ...ingested, camera_angle: null });
    expect(await serde.decode('video-ingested', writtenByV2, v2Type)).toEqual({ ...ingested, camera_angle: 'FAR_LEFT' });
  });

  it('fails permanently, with the cause, on an unknown magic byte, an unknown schema id and a corrupt body', async () => {
    const serde = new EventSerde(config.registry, config.topics);
    const ids = await serde.registerWriters(['video-ingested']);
    const good = serde.encode('video-ingested', ingested);
    expect(await serde.decode('video-ingested', good)).toEqual(ingested);

    await expect(serde.decode('video-ingested', Buffer.from('{"video_id":"x"}'))).rejects.toMatchObject({
      code: 'MALFORMED_EVENT',
      message: 'unknown magic byte 0x7b (expected 0x00, Confluent wire format)',
    });
    await expect(serde.decode('video-ingested', frame(987_654_321, Buffer.from([2, 0])))).rejects.toMatchObject({
      code: 'UNKNOWN_SCHEMA',
      message: 'schema id 987654321 is not known to the schema registry',
    });
    await expect(serde.decode('video-ingested', frame(ids.get('video-ingested')!, Buffer.from([0xff, 0xff, 0xff])))).rejects.toMatchObject({
      code: 'MALFORMED_EVENT',
    });
    await expect(serde.decode('video-ingested', null)).rejects.toMatchObject({ code: 'MALFORMED_EVENT' });
  });

  it('refuses to encode a value that does not match the schema, naming the field', () => {
    const serde = new EventSerde(config.registry, config.topics);
    return serde.registerWriters(['video-ingested']).then(() => {
      const badOptions = { ...ingested, options: { ...ingested.options, batch_size: 'thirty' } } as unknown as VideoIngested;
      expect(() => serde.encode('video-ingested', badOptions)).toThrow(/at: options\.batch_size/);
      expect(() => serde.encode('video-ingested', { ...ingested, video_id: 42 } as unknown as VideoIngested)).toThrow(/at: video_id/);
    });
  });
});
