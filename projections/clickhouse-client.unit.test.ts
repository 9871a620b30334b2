import { describe, expect, it } from 'vitest';
import { param, paramsRow, paramsStructure } from './clickhouse-client.ts';

describe('bound query values (external data)', () => {
  it('refer to the one-row params table by name, and refuse names that are not plain identifiers', () => {
    expect(param('video_id')).toBe('(SELECT video_id FROM params)');
    for (const bad of ["x' OR 1=1", 'a b', 'Name', '1st', 'a;b']) expect(() => param(bad)).toThrow(TypeError);
  });

  it('describe their types to the server and send their values as one JSON row', () => {
    const params = { prefix: "x' OR 1=1 --", limit: 50, ratio: 0.25, complete: true, ids: ['a', "b'"] };
    expect(paramsStructure(params)).toBe('prefix String, limit Int64, ratio Float64, complete UInt8, ids Array(String)');
    expect(JSON.parse(paramsRow(params))).toEqual({ prefix: "x' OR 1=1 --", limit: 50, ratio: 0.25, complete: 1, ids: ['a', "b'"] });
  });
});
