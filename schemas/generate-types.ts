import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toTypeScript } from '@ovotech/avro-ts';
import type avro from 'avsc';
import { eventSchemas, type AnyEventName } from './catalogue.ts';

/**
 * Generates `schemas/generated/<event>.ts` from the Avro schemas. The files are committed so
 * that nothing needs generating at run time; `types.unit.test.ts` fails when they drift.
 * Run `npm run schemas:generate` after changing an .avsc file.
 */
export const generatedDir = join(import.meta.dirname, 'generated');

const header = (event: string) =>
  `// Generated from schemas/avro by 'npm run schemas:generate' for ${event}. Do not edit: change the .avsc and regenerate.\n/* eslint-disable */\n\n`;

/** Folds namespaces into full names: the generator then emits flat interfaces instead of namespaces. */
function withFullNames(node: unknown, namespace = ''): unknown {
  if (Array.isArray(node)) return node.map((item) => withFullNames(item, namespace));
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const ownNamespace = typeof record.namespace === 'string' ? record.namespace : namespace;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'namespace') continue;
    if (
      key === 'name' &&
      'type' in record &&
      ['record', 'enum', 'fixed'].includes(record.type as string) &&
      typeof value === 'string' &&
      !value.includes('.')
    ) {
      out.name = ownNamespace ? `${ownNamespace}.${value}` : value;
    } else {
      out[key] = key === 'default' ? value : withFullNames(value, ownNamespace);
    }
  }
  return out;
}

export function generateTypes(): Map<string, string> {
  const files = new Map<string, string>();
  const previousWarn = console.warn;
  // The generator uses TypeScript factory overloads that print deprecation notices; they are noise here.
  console.warn = () => {};
  try {
    for (const [event, schema] of Object.entries(eventSchemas) as [AnyEventName, (typeof eventSchemas)[AnyEventName]][]) {
      const shortName = schema.fullName.split('.').pop()!;
      const code = toTypeScript(withFullNames(schema.expanded) as avro.Schema)
        .replace(/^export type AvroType = /m, `export type ${shortName} = `)
        // A named type used a second time is a reference by full name, which the generator writes as a
        // namespace path (FilmroomEvents.Box); the interfaces it emits are flat (FilmroomEventsBox).
        .replace(/\b(Filmroom[A-Za-z]*)\.([A-Z][A-Za-z0-9]*)\b/g, '$1$2');
      files.set(`${event}.ts`, header(event) + code);
    }
  } finally {
    console.warn = previousWarn;
  }
  return files;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  mkdirSync(generatedDir, { recursive: true });
  for (const [file, content] of generateTypes()) writeFileSync(join(generatedDir, file), content);
  process.stdout.write(`wrote ${generateTypes().size} files to ${generatedDir}\n`);
}
