import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';

/**
 * Stops the processors (or anything with a stop) on SIGINT/SIGTERM, then exits 0; a second signal
 * exits at once (130). A stop that outlives `deadlineMs` (the processors' grace period plus a
 * margin) exits 1: kafkajs can wait forever on a fetch or a rebalance, and a worker that never
 * exits is worse than one that exits uncommitted, whose work a restart simply redoes.
 */
export function stopOnSignals(processors: { stop(): Promise<void> }[], log: Logger, options: { deadlineMs: number }): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) process.exit(130);
    received = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ deadlineMs: options.deadlineMs }, `shutdown did not finish within ${options.deadlineMs} ms: exiting with work uncommitted`);
      process.exit(1);
    }, options.deadlineMs).unref();
    void Promise.allSettled(processors.map((p) => p.stop())).then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** How long a stopping process waits for its processors before it exits anyway. */
export function shutdownDeadlineMs(config: Pick<Config, 'processor'>): number {
  return config.processor.shutdownGraceMs + 15_000;
}
