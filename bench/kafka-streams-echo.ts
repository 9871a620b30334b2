import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Config } from '../common/config.ts';
import { FilmroomError } from '../common/errors.ts';
import type { MavenContext } from '../deploy/local/maven.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { createKafka } from '../streams/kafka-client.ts';
import type { Rate } from './kafka-perf-tools.ts';
import { rate, waitForEchoed } from './runtime-throughput.ts';
import { ensureTopics } from '../streams/topics.ts';

const appDir = fileURLToPath(new URL('./kafka-streams-echo/', import.meta.url));
const jar = join(appDir, 'target', 'kafka-streams-echo.jar');

function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && !join(entry.parentPath, entry.name).includes(`${join(appDir, 'target')}`))
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );
}

/**
 * The echo application's jar, built on first use (or when its sources changed) into its target/
 * folder (ignored by git): offline from the local Maven repository when it has everything, else
 * with Maven Central.
 */
export async function kafkaStreamsEchoJar(maven: MavenContext, print: (line: string) => void): Promise<string> {
  if (existsSync(jar) && statSync(jar).mtimeMs >= newestSource(appDir)) return jar;
  print(`bench: building the Kafka Streams echo application into ${relative(process.cwd(), join(appDir, 'target'))} (first use; Maven, ~1 min)...`);
  const args = ['-B', '-q', `-Dmaven.repo.local=${maven.repoLocal}`, 'package'];
  try {
    await runCommand(maven.mvn, ['-o', ...args], { cwd: appDir, what: 'mvn -o package (Kafka Streams echo)' });
  } catch {
    // Not everything is in the local repository yet: the first build fetches from Maven Central.
    await runCommand(maven.mvn, args, { cwd: appDir, what: 'mvn package (Kafka Streams echo)' });
  }
  return jar;
}

/**
 * Runs the Kafka Streams echo application over `inputTopic` (already holding `records` records)
 * into a fresh output topic. The clock starts when the application reports RUNNING (partitions
 * assigned; JVM start and group join left out, as for filmroom's runtime) and stops when every
 * record has its echo in the output topic and every input offset is committed.
 */
export async function kafkaStreamsEchoThroughput(
  java: string,
  jarPath: string,
  config: Config,
  options: { inputTopic: string; records: number; recordSize: number; threads: number },
): Promise<Rate> {
  const outputTopic = `${config.topics.prefix}kafka-streams-echo-out`;
  const applicationId = `${config.topics.prefix}kafka-streams-echo`;
  const kafka = createKafka(config.kafka, 'bench');
  await ensureTopics(kafka, [outputTopic], config.topics.partitions);

  const app = spawn(
    java,
    [
      '-Xmx512m',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-jar',
      jarPath,
      config.kafka.brokers.join(','),
      options.inputTopic,
      outputTopic,
      applicationId,
      String(options.threads),
      String(config.processor.commitIntervalMs),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new FilmroomError('SERVICE_START_FAILED', `Kafka Streams echo not RUNNING after 120 s: ${output.slice(-500)}`)),
        120_000,
      );
      app.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      app.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/^RUNNING$/m.test(output)) {
          clearTimeout(timer);
          resolve();
        }
        if (/^ERROR$/m.test(output)) reject(new FilmroomError('SERVICE_START_FAILED', `Kafka Streams echo failed: ${output.slice(-500)}`));
      });
      void exited.then((code) => reject(new FilmroomError('SERVICE_START_FAILED', `Kafka Streams echo exited (${code}): ${output.slice(-500)}`)));
    });
    const started = performance.now();
    await waitForEchoed(kafka, { inputTopic: options.inputTopic, outputTopic, groupId: applicationId, records: options.records });
    return rate(options.records, (performance.now() - started) / 1000, options.recordSize);
  } finally {
    app.kill('SIGTERM');
    const killer = setTimeout(() => app.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
  }
}
