import { describe, expect, it } from 'vitest';
import { isStaleConnection, param, paramsRow, paramsStructure } from './clickhouse-client.ts';

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

describe('isStaleConnection', () => {
  it.each(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'])('is true for a fetch that failed with %s (a pooled connection the server closed)', (code) => {
    expect(isStaleConnection(new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) }))).toBe(true);
  });

  it('is false for a refused connection or a timeout (the server is not there: no second try)', () => {
    expect(isStaleConnection(new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }))).toBe(false);
    expect(isStaleConnection(new DOMException('timed out', 'TimeoutError'))).toBe(false);
  });
});
