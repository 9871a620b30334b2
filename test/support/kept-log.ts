import { createLogger, type Logger } from '../../common/logger.ts';

/**
 * A logger that keeps its lines in memory (the last `keep`), for a test to print only when it
 * fails: a passing run stays quiet, a failing one says what the processor saw.
 */
export function keptLog(level = 'debug', keep = 400): { log: Logger; lines(): string[] } {
  const lines: string[] = [];
  const log = createLogger(level, 'filmroom', {
    write(line: string) {
      lines.push(line.trimEnd());
      if (lines.length > keep) lines.shift();
    },
  });
  return { log, lines: () => [...lines] };
}
