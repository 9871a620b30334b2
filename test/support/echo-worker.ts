/**
 * A separate process that runs the echo processor until SIGTERM/SIGINT (or SIGKILL, in the crash
 * test). Configured entirely by FILMROOM_* variables plus ECHO_DELAY_MS and ECHO_SLOW_MS.
 */
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { createEchoProcessor } from '../../processors/echo/index.ts';
import { runProcessor, stopOnSignals } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';

const config = loadConfig();
const log = createLogger(config.logLevel, 'echo-worker');
const processor = createEchoProcessor({ delayMs: Number(process.env.ECHO_DELAY_MS ?? 0), slowMs: Number(process.env.ECHO_SLOW_MS ?? 2000) });
const running = await runProcessor(
  processor,
  { config, serde: new EventSerde(config.registry, config.topics), log },
  { clientId: `echo-worker-${process.pid}` },
);
stopOnSignals([running], log);
process.stdout.write(`ready ${process.pid}\n`);
