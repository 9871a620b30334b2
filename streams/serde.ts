import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { RegistryConfig, TopicsConfig } from '../common/config.ts';
import { FilmroomError, describeError } from '../common/errors.ts';
import { eventSchemas, type AnyEventName, type EventTypes } from '../schemas/index.ts';
import { getSchemaById, setSubjectCompatibility } from './schema-registry.ts';
import { valueSubject } from './topics.ts';

const readerKeys = new WeakMap<avro.Type, string>();
/** A reader schema's identity, computed once per type: fingerprints hash the whole schema. */
function readerKey(type: avro.Type): string {
  let key = readerKeys.get(type);
  if (!key) readerKeys.set(type, (key = `${type.name}:${type.fingerprint().toString('hex')}`));
  return key;
}

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the Avro body. */
const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** Splits a record value into schema id and Avro body; malformed framing is a permanent error. */
export function unframe(value: Buffer | null): { schemaId: number; body: Buffer } {
  if (!value || value.length === 0) throw new FilmroomError('MALFORMED_EVENT', 'empty record value (a tombstone or a null value is not an event)');
  if (value.length < HEADER_BYTES)
    throw new FilmroomError('MALFORMED_EVENT', `record value of ${value.length} bytes is too short for the Confluent wire format`);
  if (value[0] !== MAGIC_BYTE) {
    throw new FilmroomError('MALFORMED_EVENT', `unknown magic byte 0x${value[0]!.toString(16).padStart(2, '0')} (expected 0x00, Confluent wire format)`);
  }
  return { schemaId: value.readUInt32BE(1), body: value.subarray(HEADER_BYTES) };
}

/**
 * Encodes and decodes filmroom events in Confluent wire format. Writers register their schema
 * under TopicNameStrategy (`<topic>-value`) with BACKWARD compatibility; readers decode with the
 * writer's schema (fetched by id, cached) resolved to their own reader schema, so a consumer
 * built for v1 reads v2 events and the other way round.
 */
export class EventSerde {
  private readonly registry: SchemaRegistry;
  private readonly writerIds = new Map<AnyEventName, number>();
  private readonly writerTypes = new Map<number, Promise<avro.Type>>();
  /** Per writer schema id, per reader schema: the resolver (built once). */
  /** Writer schemas already fetched, for decoding without waiting. */
  private readonly knownWriters = new Map<number, avro.Type>();
  private readonly resolvers = new Map<number, Map<string, ReturnType<avro.Type['createResolver']>>>();

  constructor(
    private readonly registryConfig: RegistryConfig,
    private readonly topics: Pick<TopicsConfig, 'prefix'>,
  ) {
    this.registry = new SchemaRegistry({ host: registryConfig.url });
  }

  /** Registers the schemas of the events this process writes (idempotent) and remembers their ids. */
  async registerWriters(events: AnyEventName[]): Promise<Map<AnyEventName, number>> {
    for (const event of events) {
      if (this.writerIds.has(event)) continue;
      this.writerIds.set(event, await this.registerSchema(valueSubject(event, this.topics), eventSchemas[event].expanded));
    }
    return this.writerIds;
  }

  /** Registers a schema under a subject with BACKWARD compatibility; incompatible changes fail with the registry's reason. */
  async registerSchema(subject: string, schema: avro.Schema): Promise<number> {
    // Apicurio answers a subject's config with NONE (Confluent: 404) when no rule was set on the
    // subject itself, which the client would take for a mismatch: set it explicitly first.
    await setSubjectCompatibility(this.registryConfig, subject, 'BACKWARD');
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 409 || /incompatib/i.test(describeError(error))) {
        throw new FilmroomError(
          'SCHEMA_INCOMPATIBLE',
          `schema for ${subject} is not BACKWARD compatible with its registered versions (new fields need defaults; fields may not change type): ${describeError(error)}`,
          { cause: error, context: { subject } },
        );
      }
      throw new FilmroomError('SERVICE_UNAVAILABLE', `schema registry: registering ${subject} failed: ${describeError(error)}`, { cause: error });
    }
  }

  /** Encodes a value of an event whose writer schema was registered. Invalid values are a bug in the caller. */
  encode<E extends AnyEventName>(event: E, value: EventTypes[E]): Buffer {
    const schemaId = this.writerIds.get(event);
    if (schemaId === undefined) throw new FilmroomError('INVALID_OUTPUT', `no registered writer schema for ${event}: call registerWriters first`);
    return frame(schemaId, this.encodeBody(event, value));
  }

  private encodeBody<E extends AnyEventName>(event: E, value: EventTypes[E]): Buffer {
    const { type } = eventSchemas[event];
    const problems: string[] = [];
    if (!type.isValid(value, { errorHook: (path) => problems.push(path.join('.') || '(root)') })) {
      throw new FilmroomError('INVALID_OUTPUT', `${event} value does not match its schema at: ${problems.join(', ')}`);
    }
    return type.toBuffer(value);
  }

  /** The writer schema for an id: fetched once from the registry, then cached. */
  private writerType(schemaId: number): Promise<avro.Type> {
    let type = this.writerTypes.get(schemaId);
    if (!type) {
      type = getSchemaById(this.registryConfig, schemaId).then((schema) => avro.Type.forSchema(JSON.parse(schema) as avro.Schema));
      // Only successes are cached: a registry outage must not poison the cache.
      type.catch(() => this.writerTypes.delete(schemaId));
      this.writerTypes.set(schemaId, type);
    }
    return type;
  }

  /** Decodes a record value into the reader's view of an event (the reader defaults to filmroom's current schema). */
  async decode<E extends AnyEventName>(event: E, value: Buffer | null, readerType: avro.Type = eventSchemas[event].type): Promise<EventTypes[E]> {
    const known = this.decodeKnown(event, value, readerType);
    if (known !== undefined) return known;
    const { schemaId, body } = unframe(value);
    return this.read(event, schemaId, await this.writerType(schemaId), body, readerType);
  }

  /**
   * Like decode, without waiting, for a record whose writer schema is already known (undefined
   * otherwise): a sink decoding thousands of records per batch pays no promise per record.
   */
  /** Whether the writer schema with this id has been fetched already (then decodeKnown can read its records). */
  knowsWriter(schemaId: number): boolean {
    return this.knownWriters.has(schemaId);
  }

  decodeKnown<E extends AnyEventName>(event: E, value: Buffer | null, readerType: avro.Type = eventSchemas[event].type): EventTypes[E] | undefined {
    const { schemaId, body } = unframe(value);
    const writer = this.knownWriters.get(schemaId);
    return writer ? this.read(event, schemaId, writer, body, readerType) : undefined;
  }

  private read<E extends AnyEventName>(event: E, schemaId: number, writer: avro.Type, body: Buffer, readerType: avro.Type): EventTypes[E] {
    this.knownWriters.set(schemaId, writer);
    let byReader = this.resolvers.get(schemaId);
    if (!byReader) this.resolvers.set(schemaId, (byReader = new Map()));
    const resolverKey = readerKey(readerType);
    let resolver = byReader.get(resolverKey);
    if (!resolver) {
      try {
        resolver = readerType.createResolver(writer);
      } catch (error) {
        throw new FilmroomError(
          'MALFORMED_EVENT',
          `record written with schema ${schemaId} (${writer.name}) cannot be read as ${event}: ${describeError(error)}`,
          {
            cause: error,
          },
        );
      }
      byReader.set(resolverKey, resolver);
    }
    try {
      return readerType.fromBuffer(body, resolver) as EventTypes[E];
    } catch (error) {
      throw new FilmroomError('MALFORMED_EVENT', `record body is not valid Avro for schema ${schemaId} (${writer.name}): ${describeError(error)}`, {
        cause: error,
      });
    }
  }
}
