/**
 * `npm run bench:clients [-- --records N --record-size B]`: the runtime benchmark with the client
 * rows (`runBenchmarks({ only: 'runtime', clients: true })`), until `filmroom bench` takes a
 * `--clients` option of its own.
 */
import { parseArgs } from 'node:util';
import { runBenchmarks } from '../index.ts';

const { values } = parseArgs({
  options: { records: { type: 'string', default: '200000' }, 'record-size': { type: 'string', default: '1024' } },
});
const records = Number(values.records);
const recordSize = Number(values['record-size']);
if (!Number.isInteger(records) || records < 1 || !Number.isInteger(recordSize) || recordSize < 1) {
  process.stderr.write('--records and --record-size must be positive integers\n');
  process.exit(2);
}
const print = (line: string) => process.stdout.write(`${line}\n`);
const missed = await runBenchmarks({ only: 'runtime', clients: true, records, recordSize, projectionEvents: 1, extractMinutes: 1, extractFps: 1 }, print);
// Clients (Kafka) may hold the event loop open; the benchmark's work is done.
process.exit(missed.length === 0 ? 0 : 1);
