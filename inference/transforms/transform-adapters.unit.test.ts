import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransformContext } from '../../schemas/vision.ts';
import { createHttpTransform } from './http-transform.ts';
import { createSubprocessTransform } from './subprocess-transform.ts';

const model = { name: 'm', version: '1' };
const frames = [{ width: 2, height: 1, data: Uint8Array.from([0, 1, 2, 3, 4, 5]) }];
let tmp: string;
let progress: number[];
const context = (): TransformContext => ({ signal: new AbortController().signal, workDir: tmp, onProgress: (p) => progress.push(p) });
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'transform-adapters-'));
  progress = [];
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

/** A script for the subprocess adapter, run by this Node (standing in for PYTHON_PATH). */
async function script(body: string): Promise<string> {
  const path = join(tmp, 'model.mjs');
  await writeFile(path, `import { copyFileSync, readdirSync } from 'node:fs';\nconst [input, output] = process.argv.slice(2);\n${body}`);
  return path;
}
const subprocess = async (body: string, timeoutMs = 10_000) =>
  createSubprocessTransform({ model, python: process.execPath, script: await script(body), timeoutMs });

describe('the subprocess adapter (old contract)', () => {
  it('passes the input and output folders, reports progress lines and reads the frames written', async () => {
    const t = await subprocess(`console.log('loading'); console.log('progress: 50');
      for (const name of readdirSync(input)) copyFileSync(input + '/' + name, output + '/' + name);
      process.stdout.write('progress: 100');`);
    expect(await t.transform(frames, context())).toEqual(frames);
    expect(progress).toEqual([50, 100]);
  });

  it("fails transiently with stderr's last line when the script exits non-zero, or runs past the timeout", async () => {
    const crash = await subprocess(`console.error('Traceback ...'); console.error('MemoryError'); process.exit(3);`);
    await expect(crash.transform(frames, context())).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      retriable: true,
      message: expect.stringMatching(/exited with code 3: Traceback \.\.\. \| MemoryError$/),
    });
    const hang = await subprocess(`setTimeout(() => {}, 60_000);`, 300);
    await expect(hang.transform(frames, context())).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringMatching(/no answer within 0\.3 s$/),
    });
  });

  it('reads what the script wrote, nothing included (the stage then fails the batch as MODEL_FAILED, permanent)', async () => {
    const none = await subprocess(`console.log('done');`);
    expect(await none.transform(frames, context())).toEqual([]);
  });
});

describe('the HTTP adapter (old contract)', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
  async function serve(status: number, body: string): Promise<string> {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(status, { 'content-type': 'application/json' }).end(body));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    return `http://127.0.0.1:${address.port}/inference`;
  }

  it('takes 5xx and 429 for transient, other 4xx and malformed answers for permanent', async () => {
    for (const [status, body, code] of [
      [503, 'warming up', 'MODEL_UNAVAILABLE'],
      [429, 'busy', 'MODEL_UNAVAILABLE'],
      [400, 'bad frames', 'MODEL_FAILED'],
      [200, 'not json', 'MODEL_FAILED'],
      [200, '{"result": "ok"}', 'MODEL_FAILED'],
    ] as const) {
      const t = createHttpTransform({ model, url: await serve(status, body), timeoutMs: 5000 });
      await expect(t.transform(frames, context()), `${status} ${body}`).rejects.toMatchObject({ code });
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
  });

  it('names a refused connection transient', async () => {
    const t = createHttpTransform({ model, url: 'http://127.0.0.1:9/inference', timeoutMs: 2000 });
    await expect(t.transform(frames, context())).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', retriable: true });
  });
});
