/**
 * A separate process that runs one processor until SIGTERM/SIGINT (or SIGKILL, in the crash
 * tests; `extract` runs both of its processors). Configured by FILMROOM_* variables plus WORKER_PROCESSOR (echo | extract | checks | track |
 * projector-videos), ECHO_DELAY_MS and ECHO_SLOW_MS.
 */
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { createChecksProcessor } from '../../processors/checks/index.ts';
import { createEchoProcessor } from '../../processors/echo/index.ts';
import { createExtractProcessor, createExtractSegmentsProcessor } from '../../processors/extract/index.ts';
import { createTrackProcessor } from '../../processors/track/index.ts';
import { createTextRecognizer } from '../../inference/index.ts';
import { runProjectors } from '../../projections/projector.ts';
import { createFrameSource } from '../../storage/frame-source.ts';
import { createS3Client, s3ObjectStore } from '../../storage/object-store.ts';
import { shutdownDeadlineMs, stopOnSignals } from '../../cli/stop-on-signals.ts';
import { runProcessor } from '../../streams/runtime.ts';
import { EventSerde } from '../../streams/serde.ts';

const config = loadConfig();
const which = process.env.WORKER_PROCESSOR ?? 'echo';
const log = createLogger(config.logLevel, `${which}-worker`);
const deps = { config, serde: new EventSerde(config.registry, config.topics), log };
const options = { clientId: `${which}-worker-${process.pid}` };
const frameSource = () => createFrameSource({ objectStore: s3ObjectStore(createS3Client(config.s3)), cacheBatches: config.frames.cacheBatches });
/** Both halves of the extract stage, as `filmroom run extract` runs them: videos, and segments of long ones. */
async function runExtract() {
  const ports = { objectStore: s3ObjectStore(createS3Client(config.s3)), config };
  const videos = await runProcessor(createExtractProcessor(ports), deps, options);
  const segments = await runProcessor(createExtractSegmentsProcessor(ports), deps, options);
  return { stop: async () => void (await Promise.all([segments.stop(), videos.stop()])) };
}
const running =
  which === 'projector-videos'
    ? (await runProjectors({ config, log }, ['videos']))[0]!
    : which === 'extract'
      ? await runExtract()
      : which === 'checks'
        ? await runProcessor(createChecksProcessor({ frameSource: frameSource(), version: config.checks.version }), deps, options)
        : which === 'track'
          ? await runProcessor(createTrackProcessor({ frameSource: frameSource(), recognizer: await createTextRecognizer(config.ocr) }), deps, options)
          : await runProcessor(
              createEchoProcessor({ delayMs: Number(process.env.ECHO_DELAY_MS ?? 0), slowMs: Number(process.env.ECHO_SLOW_MS ?? 2000) }),
              deps,
              options,
            );
stopOnSignals([running], log, { deadlineMs: shutdownDeadlineMs(config) });
process.stdout.write(`ready ${process.pid}\n`);
