import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The one logger: structured JSON on stderr, so that stdout stays free for a command's own
 * output (health lines, query results, exported files). Tests may pass another destination to
 * keep a run's log and print it only when they fail.
 */
export function createLogger(level: string, name = 'filmroom', destination: DestinationStream = pino.destination(2)): Logger {
  return pino({ name, level, base: { component: name } }, destination);
}
