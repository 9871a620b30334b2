import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { projectRoot } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { runProjectors } from '../../projections/projector.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { provisionTopics } from '../../streams/topics.ts';
import { dropTestNamespace, projectionConfig, stoppedTogether } from '../support/projection-fixture.ts';
import { ensureContractVenv } from './python-venv.ts';

const execFileAsync = promisify(execFile);
const operatorKey = 'contract-operator-0123456789';
/** Examples per operation in the fuzzing phase: with the coverage and stateful phases, well over 1,000 cases in about two minutes on two cores. */
const examplesPerOperation = 15;
/** Fixed, so that a failure in CI is the same failure on a laptop (`st replay` needs the same run). */
const seed = 15;
const workDir = join(projectRoot, '.filmroom', 'contract');

/** Runs a command to its end, with its output kept whole (schemathesis' report runs to thousands of lines). */
function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: workDir, env: { ...process.env, NO_COLOR: '1', COLUMNS: '120' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * The API against its own OpenAPI document, on the real stack: schemathesis (PyPI) reads /docs/json
 * and runs every check over every operation with an operator key (a key that may call every route),
 * through its coverage, fuzzing and stateful phases (the stateful phase follows the document's links:
 * upload a video, read its status, retry it, delete it, ...). What the API answers is what the
 * document says: no undocumented status, no schema-valid request refused, no invalid one accepted,
 * 405 for a method a path does not have. Settings and their reasons: schemathesis.toml.
 */
describe('the API against its own contract (schemathesis, real stack)', () => {
  let app: FastifyInstance;
  let config: Awaited<ReturnType<typeof projectionConfig>>;
  let tools: Awaited<ReturnType<typeof ensureContractVenv>>;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    mkdirSync(workDir, { recursive: true });
    tools = await ensureContractVenv();
    config = await projectionConfig({ FILMROOM_API_KEYS: `contract:operator:${operatorKey}` });
    await provisionTopics(createKafka(config.kafka, 'contract-topics'), config.topics);
    // The projectors make what the API registers readable, as in production.
    running.push(stoppedTogether(await runProjectors({ config, log: createLogger('silent') })));
    app = await buildServer(config, { logLevel: 'silent' });
    await app.listen({ host: '127.0.0.1', port: 0 });
  }, 600_000);

  afterAll(async () => {
    for (const r of running.reverse()) await r.stop();
    await app?.close();
    if (config) await dropTestNamespace(config);
  });

  it('passes every schemathesis check with no failure over at least 1,000 generated cases, the stateful phase included', async () => {
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const args = [
      '--config-file',
      join(import.meta.dirname, 'schemathesis.toml'),
      'run',
      `${base}/docs/json`,
      '--header',
      `Authorization: Bearer ${operatorKey}`,
      '--checks',
      'all',
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-examples',
      String(examplesPerOperation),
      '--workers',
      '2',
      '--seed',
      String(seed),
      '--generation-database',
      'none',
    ];
    const started = Date.now();
    let { code, output } = await run(tools.st, args, 330_000);
    // schemathesis' own generator sometimes crashes inside Hypothesis ("Runtime Error", FlakyFailure) while
    // every case it did send passed: that says nothing of the API, so such a run (and only such) is run again.
    const generatorCrashedOnly = (text: string) => {
      const tail = text.slice(text.lastIndexOf('SUMMARY'));
      const counts = /(\d+) generated, (\d+) passed/.exec(tail);
      return (
        /Runtime Error: \d+/.test(tail) &&
        !/failed|Failures/.test(tail) &&
        counts !== null &&
        counts[1] === counts[2] &&
        // Hypothesis' FlakyFailure, or CPython 3.11's ast.parse bug met while Hypothesis describes a lambda.
        (text.includes('FlakyFailure') || text.includes('SystemError: AST constructor recursion depth mismatch'))
      );
    };
    // Up to two more runs (a clean-clone CI met the CPython bug in two runs in a row), each with the next
    // seed, so a crash that the seed's cases provoke is not met again.
    for (let again = 1; again <= 2 && code !== 0 && generatorCrashedOnly(output); again++) {
      process.stdout.write(
        `schemathesis: its generator crashed (inside Hypothesis) with every sent case passing; running it again with seed ${seed + again}\n`,
      );
      writeFileSync(join(workDir, `schemathesis-generator-crash-${again}.log`), output);
      ({ code, output } = await run(
        tools.st,
        args.map((arg, i) => (args[i - 1] === '--seed' ? String(seed + again) : arg)),
        330_000,
      ));
    }
    const seconds = (Date.now() - started) / 1000;
    writeFileSync(join(workDir, 'schemathesis.log'), output);
    const summary = output.slice(output.lastIndexOf('SUMMARY') - 40);
    const cases = Number(/(\d+) generated/.exec(summary)?.[1] ?? 0);
    process.stdout.write(`schemathesis: ${cases} cases in ${seconds.toFixed(0)} s, exit ${code} (whole report: .filmroom/contract/schemathesis.log)\n`);
    // On a failure the report's tail names each one, with its curl command and `st replay` id.
    expect(code, output.slice(-12_000)).toBe(0);
    expect(cases).toBeGreaterThanOrEqual(1000);
    expect(summary).toMatch(/✅\s+Stateful/);
    expect(Number(/API Links:\s+(\d+) covered/.exec(output)?.[1] ?? 0)).toBeGreaterThan(0);
  }, 1_050_000);

  it('gives boto3 the local S3 with checksums when required, as docs/troubleshooting.md says (its default is refused)', async () => {
    const script = join(import.meta.dirname, 'boto3-roundtrip.py');
    const s3 = [config.s3.endpoint, config.s3.accessKeyId, config.s3.secretAccessKey, config.s3.buckets.uploads, 'contract/boto3.txt'];
    const { stdout } = await execFileAsync(tools.python, [script, ...s3, 'when_required'], { timeout: 60_000 });
    expect(stdout.trim()).toBe('filmroom boto3 round trip');
    // The setting is needed: boto3's default sends a checksum header the local server does not implement.
    await expect(execFileAsync(tools.python, [script, ...s3, 'when_supported'], { timeout: 60_000 })).rejects.toThrow(/NotImplemented/);
  }, 120_000);
});
