/**
 * The old subprocess contract's progress report: a model script prints `progress: N` on stdout
 * (N from 0 to 100, an integer or a decimal, an optional '%'), any number of times. Other lines are
 * the script's own output. Returns N clamped to 0..100, or undefined for any other line.
 */
export function parseProgressLine(line: string): number | undefined {
  const match = /^\s*progress\s*:\s*(\d+(?:\.\d+)?)\s*%?\s*$/i.exec(line);
  if (!match) return undefined;
  return Math.min(100, Math.max(0, Number(match[1])));
}

/** Collects progress from a stream of stdout text arriving in arbitrary chunks (lines may be split across them). */
export class ProgressLines {
  private pending = '';
  /** Every progress value seen, in order. */
  readonly reports: number[] = [];

  constructor(private readonly onProgress: (percent: number) => void = () => {}) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split(/\r?\n/);
    this.pending = lines.pop()!;
    for (const line of lines) this.take(line);
  }

  /** The last line, when the stream ended without a newline. */
  end(): void {
    if (this.pending) this.take(this.pending);
    this.pending = '';
  }

  private take(line: string): void {
    const percent = parseProgressLine(line);
    if (percent === undefined) return;
    this.reports.push(percent);
    this.onProgress(percent);
  }
}
