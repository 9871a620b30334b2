/**
 * `npx tsx bench/runtime-clients/broker-restart.ts [--records N] [--clients kafkajs,platformatic,confluent] [--default-retries]`:
 * does each client's thin echo survive a broker restart? Against the local stack (FILMROOM_* ports):
 * the input topic gets N records, the echo starts, and once it has echoed a tenth of them the broker
 * is stopped and started again (as the chaos run does). The echo then has 120 s after the broker is
 * back to echo and commit everything. Prints, per client: done or not, seconds after the broker was
 * back, duplicates (echoes beyond N: at-least-once redelivery), fatal errors, process warnings.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { describeError } from '../../common/errors.ts';
import { stackUp, stopService } from '../../deploy/local/stack.ts';
import { createKafka, sendRecords } from '../../streams/kafka-client.ts';
import { committedOffsets, endOffsets } from '../../streams/offsets.ts';
import { ensureTopics } from '../../streams/topics.ts';
import { confluentEcho, loadConfluent } from './confluent-echo.ts';
import { flushMaxRecords, type EchoClient } from './echo.ts';
import { kafkajsEcho } from './kafkajs-echo.ts';
import { platformaticEcho } from './platformatic-echo.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '60000' },
    clients: { type: 'string', default: 'kafkajs,platformatic,confluent' },
    'default-retries': { type: 'boolean', default: false },
  },
});
const records = Number(values.records);
const recordSize = 1024;
const config = loadConfig({ ...process.env, FILMROOM_TOPIC_PREFIX: `restart-${Date.now().toString(36)}.` });
const log = createLogger('warn');
const kafka = createKafka(config.kafka, 'bench-restart');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sum(fetch: () => Promise<number>): Promise<number | undefined> {
  try {
    return await fetch();
  } catch {
    return undefined; // the broker is away
  }
}
async function outputEnd(topic: string): Promise<number | undefined> {
  return sum(async () => [...(await endOffsets(kafka, [topic])).values()].reduce((n, end) => n + Number(end), 0));
}
async function committedCount(groupId: string, topic: string): Promise<number | undefined> {
  return sum(async () => [...(await committedOffsets(kafka, groupId, [topic])).values()].reduce((n, offset) => n + Number(offset), 0));
}

async function trial(name: string, client: EchoClient): Promise<string> {
  const inputTopic = `${config.topics.prefix}${name}-in`;
  const outputTopic = `${config.topics.prefix}${name}-out`;
  const groupId = `${config.topics.prefix}${name}`;
  await ensureTopics(kafka, [inputTopic, outputTopic], config.topics.partitions);
  const producer = kafka.producer();
  const payload = Buffer.alloc(recordSize, 7);
  for (let i = 0; i < records; i += 1000) {
    await sendRecords(
      producer,
      Array.from({ length: Math.min(1000, records - i) }, (_, j) => ({ topic: inputTopic, key: `k${i + j}`, value: payload })),
    );
  }
  await producer.close();

  const fatal: string[] = [];
  const warnings = new Map<string, number>();
  const onWarning = (w: Error) => warnings.set(w.name, (warnings.get(w.name) ?? 0) + 1);
  const onRejection = (error: unknown) => fatal.push(`unhandled: ${describeError(error)}`);
  process.on('warning', onWarning);
  process.on('unhandledRejection', onRejection);
  const echo = await client.start({
    brokers: config.kafka.brokers,
    clientId: `bench-restart-${name}`,
    groupId,
    inputTopic,
    outputTopic,
    concurrency: config.processor.concurrency,
    flushMaxRecords,
    patientRetries: !values['default-retries'],
    onFatal: (error) => fatal.push(describeError(error).split('\n')[0]!),
  });
  try {
    await echo.assigned;
    while (((await outputEnd(outputTopic)) ?? 0) < records / 10) await sleep(50);
    const stoppedAt = performance.now();
    await stopService(config, 'kafka');
    await stackUp(config, log);
    const upAt = performance.now();
    const deadline = upAt + 120_000;
    let out = 0;
    let committed = 0;
    while (performance.now() < deadline) {
      out = (await outputEnd(outputTopic)) ?? out;
      committed = (await committedCount(groupId, inputTopic)) ?? committed;
      if (out >= records && committed >= records) break;
      await sleep(500);
    }
    const done = out >= records && committed >= records;
    const seen = [...warnings].map(([n, c]) => `${c} ${n}`).join(', ') || 'none';
    return `| ${client.label} | ${((upAt - stoppedAt) / 1000).toFixed(1)} | ${done ? `yes, ${((performance.now() - upAt) / 1000).toFixed(1)} s after` : `**no** (${committed} of ${records} committed after 120 s)`} | ${Math.max(0, out - records)} | ${fatal.length ? fatal.slice(0, 2).join('; ') : 'none'} | ${seen} |`;
  } finally {
    await Promise.race([echo.stop().catch(() => undefined), sleep(15_000)]);
    process.off('warning', onWarning);
    process.off('unhandledRejection', onRejection);
  }
}

const chosen = values.clients.split(',');
const all: [string, EchoClient | string][] = [
  ['kafkajs', kafkajsEcho],
  ['platformatic', platformaticEcho],
  ['confluent', ((c) => (typeof c === 'string' ? c : confluentEcho(c)))(loadConfluent())],
];
const lines = [
  `broker restart mid-echo: ${records} records of ${recordSize} bytes, ${config.topics.partitions} partitions, ${values['default-retries'] ? "each client's default retries" : 'patient retries (see echo.ts)'}`,
  '| client | broker away (s) | all echoed and committed | duplicates | fatal errors reported | process warnings |',
  '|---|---:|---|---:|---|---|',
];
for (const [name, client] of all.filter(([n]) => chosen.includes(n))) {
  if (typeof client === 'string') {
    lines.push(`| ${name} | | ${client} | | | |`);
    continue;
  }
  process.stdout.write(`broker restart: ${client.label}...\n`);
  lines.push(await trial(name, client));
}
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(0);
