import { describe, expect, it } from 'vitest';
import { sqlString } from './queries.ts';

describe('sqlString', () => {
  it.each([
    ['plain', "'plain'"],
    ["o'brien", "'o\\'brien'"],
    ["x' OR 1=1 --", "'x\\' OR 1=1 --'"],
    ['back\\slash', "'back\\\\slash'"],
    ["\\' ; DROP TABLE videos", "'\\\\\\' ; DROP TABLE videos'"],
    ['line\nbreak\u0000', "'line\\x0abreak\\x00'"],
  ])('quotes %j as %s', (input, quoted) => {
    expect(sqlString(input)).toBe(quoted);
  });
});
