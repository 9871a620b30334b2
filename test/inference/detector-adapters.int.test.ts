import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { createDetector, type Detector, type RgbImage } from '../../inference/index.ts';

const grey = (level: number, width = 32, height = 16): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3).fill(level) });
const fastRetry = { retry: { initialDelayMs: 5, maxDelayMs: 20 } };
const fakeDetector = join(import.meta.dirname, '..', 'fixtures', 'fake-detector.mjs');

describe('http detector adapter against a real local HTTP server', () => {
  let answers: ((req: IncomingMessage, res: ServerResponse, body: string) => void)[] = [];
  let requests: { body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ body });
      const answer = answers.shift() ?? ((_q, r) => r.writeHead(500).end('no answer scripted'));
      answer(req, res, body);
    });
  });
  let url = '';
  const ok = (_req: IncomingMessage, res: ServerResponse, body: string) => {
    const { images } = JSON.parse(body) as { images: { width: number }[] };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        model: { name: 'remote-yolo', version: '2024.1' },
        detections: images.map((image) => [{ box: { x1: 0, y1: 0, x2: 0.5, y2: 1 }, class_id: 1, score: image.width / 100 }]),
      }),
    );
  };
  const detector = (overrides: Record<string, string> = {}) =>
    createDetector(
      loadConfig({
        FILMROOM_DETECT_ADAPTER: 'http',
        FILMROOM_DETECT_HTTP_URL: url,
        FILMROOM_DETECT_CLASSES: 'ball,player',
        FILMROOM_DETECT_TIMEOUT_MS: '300',
        ...overrides,
      }).detect,
      fastRetry,
    );

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/detect`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('given a 503 and then a request that outlives the timeout, retries both and returns the third answer in the common contract', async () => {
    requests = [];
    answers = [(_q, r) => r.writeHead(503).end('warming up'), (_q, r) => setTimeout(() => r.writeHead(200).end('{}'), 1500), ok];
    const d = await detector();
    const result = await d.detect([grey(10, 40), grey(200, 80)]);
    expect(requests).toHaveLength(3);
    const sent = JSON.parse(requests[2]!.body) as { images: { width: number; height: number; format: string; data: string }[] };
    expect(sent.images.map((i) => [i.width, i.height, i.format])).toEqual([
      [40, 16, 'jpeg'],
      [80, 16, 'jpeg'],
    ]);
    expect(Buffer.from(sent.images[0]!.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(result).toEqual([
      [{ box: { x1: 0, y1: 0, x2: 0.5, y2: 1 }, classId: 1, className: 'player', score: 0.4 }],
      [{ box: { x1: 0, y1: 0, x2: 0.5, y2: 1 }, classId: 1, className: 'player', score: 0.8 }],
    ]);
    expect(d.model).toEqual({ name: 'remote-yolo', version: '2024.1' });
  });

  it('gives up after FILMROOM_DETECT_RETRIES attempts of 5xx with a non-retriable error carrying the cause', async () => {
    requests = [];
    answers = [0, 1, 2].map(() => (_q: IncomingMessage, r: ServerResponse) => r.writeHead(502).end('bad gateway'));
    const d = await detector();
    const failure = await d.detect([grey(1)]).catch((e: unknown) => e);
    expect(requests).toHaveLength(3);
    expect(failure).toMatchObject({ code: 'RETRIES_EXHAUSTED', retriable: false, message: expect.stringContaining('answered 502: bad gateway') });
  });

  it('a 4xx answer or a malformed body is permanent: one request, MODEL_FAILED naming what was wrong', async () => {
    requests = [];
    answers = [(_q, r) => r.writeHead(422).end('images[0] is not a JPEG')];
    const d: Detector = await detector();
    await expect(d.detect([grey(1)])).rejects.toMatchObject({
      code: 'MODEL_FAILED',
      message: expect.stringContaining('answered 422: images[0] is not a JPEG'),
    });
    expect(requests).toHaveLength(1);
    answers = [(_q, r) => r.writeHead(200).end(JSON.stringify({ detections: [[{ box: { x1: 0.5, y1: 0, x2: 0.2, y2: 1 }, class_id: 0, score: 0.5 }]] }))];
    await expect(d.detect([grey(1)])).rejects.toMatchObject({ code: 'MODEL_FAILED', message: expect.stringContaining('x1 < x2') });
    answers = [(_q, r) => r.writeHead(200).end(JSON.stringify({ detections: [] }))];
    await expect(d.detect([grey(1)])).rejects.toMatchObject({ code: 'MODEL_FAILED', message: expect.stringContaining('0 detection list(s) for 1 image(s)') });
  });
});

describe('command detector adapter against a real subprocess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'filmroom-cmd-'));
  const detector = (args: string, overrides: Record<string, string> = {}) =>
    createDetector(
      loadConfig({
        FILMROOM_DETECT_ADAPTER: 'command',
        FILMROOM_DETECT_COMMAND: `${process.execPath} ${fakeDetector} ${args}`,
        FILMROOM_DETECT_TIMEOUT_MS: '3000',
        FILMROOM_DETECT_CLASSES: 'text',
        ...overrides,
      }).detect,
      fastRetry,
    );

  it('answers batch after batch from one process, in the common contract, with the images intact', async () => {
    const d = await detector('');
    try {
      const first = await d.detect([grey(255), grey(0), grey(128)]);
      expect(first.map((list) => list.map((x) => x.score))).toEqual([[1], [0], [0.5]]);
      expect(first[0]![0]).toEqual({ box: { x1: 0.25, y1: 0.25, x2: 0.75, y2: 0.75 }, classId: 0, className: 'text', score: 1 });
      expect(d.model).toEqual({ name: 'fake-detector', version: '7' });
      expect((await d.detect([grey(51)]))[0]![0]!.score).toBe(0.2);
    } finally {
      await d.close();
    }
  });

  it('a process that crashes is restarted and the request retried; one that hangs is killed after the timeout and retried', async () => {
    const crashing = await detector(`--crash-first 2 --state ${join(dir, 'crash')}`);
    try {
      expect((await crashing.detect([grey(255)]))[0]![0]!.score).toBe(1);
    } finally {
      await crashing.close();
    }
    const hanging = await detector(`--hang-first 1 --state ${join(dir, 'hang')}`, { FILMROOM_DETECT_TIMEOUT_MS: '700' });
    try {
      const began = Date.now();
      expect((await hanging.detect([grey(0)]))[0]![0]!.score).toBe(0);
      expect(Date.now() - began).toBeGreaterThanOrEqual(700);
    } finally {
      await hanging.close();
    }
  });

  it('an error answer is permanent, a process that always crashes exhausts the retries with its stderr in the message', async () => {
    const d = await detector('');
    try {
      await expect(d.detect([grey(10, 1, 1)])).rejects.toMatchObject({
        code: 'MODEL_FAILED',
        message: expect.stringContaining('image too small for this model'),
      });
    } finally {
      await d.close();
    }
    const broken = await detector(`--crash-first 99 --state ${join(dir, 'always')}`);
    await expect(broken.detect([grey(10)])).rejects.toMatchObject({
      code: 'RETRIES_EXHAUSTED',
      message: expect.stringContaining('fake detector: crashing on request 3'),
    });
    await broken.close();
  });
});
