import type { AnyEventName, EventTypes } from '../schemas/index.ts';
import { type RowBuilders, type TableRow } from './rows-helpers.ts';
import { operationRows } from './rows-operations.ts';
import { pipelineRows } from './rows-pipeline.ts';
import { perceptionRows } from './rows-perception.ts';
import { transformRows } from './rows-transforms.ts';

export { dateTime, type TableRow } from './rows-helpers.ts';

/** A decoded event: what the projectors turn into rows. */
export interface DecodedEvent<E extends AnyEventName = AnyEventName> {
  event: E;
  value: EventTypes[E];
}

const rowBuilders: RowBuilders<AnyEventName> = {
  ...pipelineRows,
  ...operationRows,
  ...perceptionRows,
  ...transformRows,
  // Deletions are not rows of their own: the purger (purge.ts) removes the video's rows and records the deletion.
  'video-deleted': () => [],
  'video-purged': () => [],
  // Work orders inside the extract stage: the batches they produce are what the tables count.
  'extract-segment-requested': () => [],
  // Test-only events: not projected.
  'echo-requested': () => [],
  'echo-emitted': () => [],
};

/**
 * Pure row builders: what each event becomes in ClickHouse. Deterministic, so projecting the same
 * event twice writes the same rows under the same keys (and ReplacingMergeTree keeps one).
 */
export function rowsOf<E extends AnyEventName>(event: E, value: EventTypes[E]): TableRow[] {
  const build = rowBuilders[event] as ((value: EventTypes[E]) => TableRow[]) | undefined;
  if (!build) throw new TypeError(`no projection for ${String(event)}`);
  return build(value);
}

/** Rows of a batch of records, grouped by table. */
export function rowsByTable(records: DecodedEvent[]): Map<string, Record<string, unknown>[]> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const record of records) {
    for (const { table, row } of rowsOf(record.event, record.value)) {
      let rows = byTable.get(table);
      if (!rows) byTable.set(table, (rows = []));
      rows.push(row);
    }
  }
  return byTable;
}
