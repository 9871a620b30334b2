import { describe, expect, it } from 'vitest';
import { JsonLines } from './json-lines.ts';

const decode = (lines: JsonLines) =>
  Buffer.concat(lines.body())
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('JsonLines', () => {
  it('encodes every row as one JSON line, across chunk boundaries, multi-byte text and quotes intact', () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, text: i % 7 === 0 ? `Ünïcödé ⚽ "q" \\ ${i}\n` : `row ${i}`, values: [i, i / 3] }));
    const lines = new JsonLines(256); // small chunks: many boundaries
    for (const row of rows) lines.append(row);
    expect(lines.rows).toBe(500);
    expect(lines.body().length).toBeGreaterThan(10);
    expect(decode(lines)).toEqual(rows);
  });

  it('has an empty body before the first row, and body() can be read again', () => {
    const lines = new JsonLines();
    expect(lines.body()).toEqual([]);
    lines.append({ a: 1 });
    expect(Buffer.concat(lines.body()).toString()).toBe('{"a":1}\n');
    expect(Buffer.concat(lines.body()).toString()).toBe('{"a":1}\n');
  });
});
