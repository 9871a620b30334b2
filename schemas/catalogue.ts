import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

/**
 * The Avro schemas in `schemas/avro/` are the single source of truth for every event. Shared named
 * types live in `avro/common/` and are referenced by full name; `expanded` is the self-contained
 * schema (shared types inlined) that is registered and used to encode.
 */
export const avroDir = join(dirname(fileURLToPath(import.meta.url)), 'avro');

export const eventNames = [
  'video-ingested',
  'batch-extracted',
  'batch-detected',
  'ocr-done',
  'check-result',
  'processing-failed',
  'replay-requested',
  'replay-completed',
  'plays-imported',
  'clips-requested',
  'clip-extracted',
  'dataset-exported',
  'render-done',
  'video-deleted',
  'video-purged',
  'retry-requested',
  'batch-tracked',
  'batch-scene-scored',
  'work-retrying',
  'batch-transformed',
  'video-transformed',
  'extract-segment-requested',
] as const;
export type EventName = (typeof eventNames)[number];

/** Events that exist only to exercise the runtime in tests and benchmarks. */
export const testEventNames = ['echo-requested', 'echo-emitted'] as const;
export type TestEventName = (typeof testEventNames)[number];

export type AnyEventName = EventName | TestEventName;

export interface EventSchema {
  event: AnyEventName;
  /** Full Avro name, e.g. filmroom.events.BatchExtracted. */
  fullName: string;
  file: string;
  type: avro.Type;
  expanded: avro.Schema;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as avro.Schema;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function loadCommonSchemas(): Map<string, Json> {
  const dir = join(avroDir, 'common');
  const common = new Map<string, Json>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort()) {
    const schema = readJson(join(dir, file)) as { name: string; namespace?: string };
    common.set(schema.namespace ? `${schema.namespace}.${schema.name}` : schema.name, schema as unknown as Json);
  }
  return common;
}

const commonSchemas = loadCommonSchemas();

/**
 * Inlines the shared named types at their first use, as Avro requires of a self-contained schema.
 * Done on the JSON (not through avsc's own export) so docs and logical types stay exactly as written.
 */
export function expandSchema(schema: avro.Schema): avro.Schema {
  const defined = new Set<string>();
  const walk = (node: Json, key?: string): Json => {
    if (typeof node === 'string' && (key === 'type' || key === 'items' || key === 'values' || key === undefined) && commonSchemas.has(node)) {
      if (defined.has(node)) return node;
      defined.add(node);
      return walk(commonSchemas.get(node)!);
    }
    if (Array.isArray(node)) return node.map((item) => walk(item, key === 'type' ? undefined : key));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'default' || k === 'doc' || k === 'symbols' ? v : walk(v, k)]));
    }
    return node;
  };
  return walk(schema as unknown as Json) as unknown as avro.Schema;
}

/** Parses a schema (object) against the shared types; used for the catalogue and for evolution tests. */
export function parseEventSchema(schema: avro.Schema): avro.Type {
  return avro.Type.forSchema(expandSchema(schema));
}

function loadOne(event: AnyEventName, file: string): EventSchema {
  const expanded = expandSchema(readJson(file));
  const type = avro.Type.forSchema(expanded);
  return { event, fullName: type.name!, file, type, expanded };
}

function loadAll(): Record<AnyEventName, EventSchema> {
  const entries: [AnyEventName, EventSchema][] = [
    ...eventNames.map((event): [AnyEventName, EventSchema] => [event, loadOne(event, join(avroDir, `${event}.avsc`))]),
    ...testEventNames.map((event): [AnyEventName, EventSchema] => [event, loadOne(event, join(avroDir, 'test-events', `${event}.avsc`))]),
  ];
  return Object.fromEntries(entries) as Record<AnyEventName, EventSchema>;
}

export const eventSchemas: Record<AnyEventName, EventSchema> = loadAll();
