/** The client rows of the runtime table: the thin echo on each client, over the records the runtime just echoed. */
import type { Config } from '../../common/config.ts';
import { describeError } from '../../common/errors.ts';
import type { Rate } from '../kafka-perf-tools.ts';
import { confluentEcho, loadConfluent } from './confluent-echo.ts';
import { clientEchoThroughput, flushMaxRecords, type EchoClient } from './echo.ts';
import { kafkajsEcho } from './kafkajs-echo.ts';
import { platformaticEcho } from './platformatic-echo.ts';

export async function clientEchoRows(
  config: Config,
  input: { inputTopic: string; records: number; recordSize: number },
  print: (line: string) => void,
): Promise<{ rows: [string, Rate][]; notes(kafkaStreams: Rate): string[] }> {
  const clients: [string, EchoClient][] = [
    ['kafkajs', kafkajsEcho],
    ['platformatic', platformaticEcho],
  ];
  const confluent = loadConfluent();
  if (typeof confluent === 'string')
    print(`bench: @confluentinc/kafka-javascript ${confluent}: its row is left out (bash bench/runtime-clients/install.sh builds it, minutes)`);
  else clients.push(['confluent', confluentEcho(confluent)]);

  // Node's process warnings while each echo runs, by name: kafkajs's request queue sets negative
  // timeouts (TimeoutNegativeWarning) unless patched; a client that does the same shows it here.
  let current: string | undefined;
  const warnings = new Map<string, Map<string, number>>();
  const onWarning = (warning: Error) => {
    if (!current) return;
    const byName = warnings.get(current) ?? new Map<string, number>();
    byName.set(warning.name, (byName.get(warning.name) ?? 0) + 1);
    warnings.set(current, byName);
  };
  process.on('warning', onWarning);
  const rows: [string, Rate][] = [];
  const stalled = new Map<string, string>();
  try {
    for (const [name, client] of clients) {
      print(`bench: thin echo on ${client.label}...`);
      current = client.label;
      const r = await clientEchoThroughput(client, config, { ...input, name }).catch((error: unknown) => describeError(error));
      current = undefined;
      if (typeof r === 'string') {
        stalled.set(client.label, r);
        print(`bench: thin echo on ${client.label}: ${r}`);
        continue;
      }
      rows.push([
        `thin echo on ${client.label} (concurrency ${config.processor.concurrency}, ≤ ${flushMaxRecords} records per send, commit after each ack)`,
        r,
      ]);
    }
  } finally {
    process.off('warning', onWarning);
  }
  return {
    rows,
    notes: (kafkaStreams) => [
      ...clients.map(([, client]) => {
        const seen = [...(warnings.get(client.label) ?? new Map<string, number>())].map(([n, count]) => `${count} ${n}`);
        const row = rows.find(([label]) => label.includes(client.label));
        const ratio = row ? `${(row[1].recordsPerSecond / kafkaStreams.recordsPerSecond).toFixed(2)}x` : `no rate (${stalled.get(client.label)})`;
        return `thin echo on ${client.label} / Kafka Streams echo: ${ratio}; process warnings while it ran: ${seen.length ? seen.join(', ') : 'none'}`;
      }),
      'thin echo = consume + produce the same key, value and headers (acks=all, idempotent) + commit after the ack, no Avro and no handler: the client alone.',
    ],
  };
}
