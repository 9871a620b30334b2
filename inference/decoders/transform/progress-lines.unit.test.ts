import { describe, expect, it } from 'vitest';
import { parseProgressLine, ProgressLines } from './progress-lines.ts';

describe('the subprocess progress line (old contract: `progress: N` on stdout)', () => {
  it('reads integers, decimals, a percent sign, any case and spacing, clamped to 0..100', () => {
    expect(parseProgressLine('progress: 42')).toBe(42);
    expect(parseProgressLine('progress:7.5')).toBe(7.5);
    expect(parseProgressLine('  Progress : 100% ')).toBe(100);
    expect(parseProgressLine('progress: 250')).toBe(100);
  });

  it("ignores the script's other output", () => {
    for (const line of ['', 'loading model', 'progress: ', 'progress: -3', 'progress: ten', 'my progress: 5', 'progress: 5 frames']) {
      expect(parseProgressLine(line), line).toBeUndefined();
    }
  });

  it('collects reports from chunks that split lines anywhere, the last line without a newline included', () => {
    const seen: number[] = [];
    const lines = new ProgressLines((p) => seen.push(p));
    for (const chunk of ['warming up\nprog', 'ress: 10\r\nprogress: 5', '0\nnoise\n', 'progress: 100']) lines.push(chunk);
    expect(seen).toEqual([10, 50]);
    lines.end();
    expect(lines.reports).toEqual([10, 50, 100]);
    expect(seen).toEqual([10, 50, 100]);
  });
});
