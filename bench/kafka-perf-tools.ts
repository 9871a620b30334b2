import type { Config } from '../common/config.ts';
import { runCommand } from '../deploy/local/prerequisites.ts';
import { kafkaLibsDir } from '../deploy/local/services/kafka.ts';

export interface Rate {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  mbPerSecond: number;
}

/** Kafka's own producer benchmark (same jars as the broker), acks=all like filmroom's producer. */
export async function kafkaProducerPerf(java: string, config: Config, topic: string, records: number, recordSize: number): Promise<Rate> {
  const output = await runCommand(java, [
    '-Xmx512m',
    '-cp',
    `${kafkaLibsDir(config)}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${config.kafka.brokers.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
  ]);
  // Last summary line: "20000 records sent, 41152.263374 records/sec (40.19 MB/sec), ..."
  const match = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/.exec(
    output
      .split('\n')
      .filter((l) => l.includes('records sent'))
      .pop() ?? '',
  );
  if (!match) throw new Error(`unexpected ProducerPerformance output: ${output.slice(-500)}`);
  const rate = Number(match[2]);
  return { records: Number(match[1]), seconds: Number(match[1]) / rate, recordsPerSecond: rate, mbPerSecond: Number(match[3]) };
}

/** Kafka's own consumer benchmark over the same topic. */
export async function kafkaConsumerPerf(java: string, config: Config, topic: string, records: number): Promise<Rate> {
  const output = await runCommand(java, [
    '-Xmx512m',
    '-cp',
    `${kafkaLibsDir(config)}/*`,
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    config.kafka.brokers.join(','),
    '--topic',
    topic,
    '--messages',
    String(records),
    '--timeout',
    '60000',
  ]);
  // Header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const dataLine = output.split('\n').find((line) => /^\d{4}-\d{2}-\d{2} /.test(line)) ?? '';
  const row = dataLine.split(',').map((cell) => cell.trim());
  const consumed = Number(row[4]);
  const fetchMs = Number(row[7]);
  if (!Number.isFinite(consumed) || !Number.isFinite(fetchMs) || fetchMs <= 0) throw new Error(`unexpected ConsumerPerformance output: ${output.slice(-500)}`);
  // The fetch columns leave out the group join, as the runtime figure below does.
  return { records: consumed, seconds: fetchMs / 1000, recordsPerSecond: Number(row[9]), mbPerSecond: Number(row[8]) };
}
