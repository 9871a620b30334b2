import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The one logger: structured JSON on stderr, so that stdout stays free for a command's own
 * output (health lines, query results, exported files).
 */
export function createLogger(level: string, name = 'filmroom'): Logger {
  return pino({ name, level, base: { component: name } }, pino.destination(2));
}
