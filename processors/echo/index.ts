import { setTimeout as sleep } from 'node:timers/promises';
import { defineProcessor } from '../../streams/processor.ts';
import { decideEcho, echoOf } from './echo.ts';

export const echoVersion = '1.0.0';

/**
 * The echo processor exists only to exercise the processor runtime in tests and benchmarks:
 * echo-requested → echo-emitted, with requested failures and delays.
 */
export function createEchoProcessor(options: { delayMs?: number; slowMs?: number } = {}) {
  const settings = { delayMs: options.delayMs ?? 0, slowMs: options.slowMs ?? 2000 };
  return defineProcessor({
    name: 'echo',
    version: echoVersion,
    input: 'echo-requested',
    outputs: ['echo-emitted'],
    async handle(request, context) {
      const decision = decideEcho(request, settings);
      if (decision.kind === 'fail') throw decision.error;
      if (decision.delayMs > 0) await sleep(decision.delayMs, undefined, { signal: context.signal });
      return [{ event: 'echo-emitted', key: request.request_id, value: echoOf(request, { name: 'echo', version: echoVersion }, context.now()) }];
    },
  });
}
