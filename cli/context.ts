import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';

/** Exit codes: 0 success, 1 the work failed, 2 usage error (bad command, option or configuration). */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Config is read once here, lazily so that `--help` works even with a broken environment. */
export interface CliContext {
  config: () => Config;
  log: () => Logger;
  print: (line: string) => void;
}
