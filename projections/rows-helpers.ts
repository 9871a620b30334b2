import type { AnyEventName, EventTypes } from '../schemas/index.ts';

/** A row for one table. */
export interface TableRow {
  table: string;
  row: Record<string, unknown>;
}

let lastSecond = Number.NaN;
let lastText = '';

/**
 * ClickHouse DateTime text (UTC), which 18.16 and current releases both parse. Events of one batch
 * mostly share their second: the last one is remembered (this runs once per projected row).
 */
export function dateTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
    lastSecond = second;
  }
  return lastText;
}

export const entriesOf = (map: Record<string, string>) => {
  const keys = Object.keys(map).sort();
  return { session_keys: keys, session_values: keys.map((k) => map[k]!) };
};

export const stamp = (value: { event_id: string; occurred_at: number }) => ({
  event_id: value.event_id,
  occurred_at: dateTime(value.occurred_at),
  version: value.occurred_at,
});

/** Row builders for some events: what each becomes in ClickHouse. */
export type RowBuilders<E extends AnyEventName> = { [K in E]: (value: EventTypes[K]) => TableRow[] };
