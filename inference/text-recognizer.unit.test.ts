import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../common/config.ts';
import { constantOutputModel, writeTempModel } from '../test/support/onnx-graphs.ts';
import { createTextRecognizer } from './text-recognizer.ts';

describe('PP-OCR recogniser adapter', () => {
  it('through the real onnxruntime-node: decodes a known [1, steps, classes] output with the configured dictionary', async () => {
    // classes: blank, H, I, !, space; steps spell "HI !" with repeats and blanks
    const classes = 5;
    const sequence = [1, 1, 0, 2, 4, 3, 3];
    const probs = new Float32Array(sequence.length * classes);
    sequence.forEach((c, t) => {
      for (let k = 0; k < classes; k++) probs[t * classes + k] = k === c ? 0.8 : 0.05;
    });
    const dir = mkdtempSync(join(tmpdir(), 'filmroom-rec-'));
    writeFileSync(join(dir, 'keys.txt'), 'H\nI\n!\n');
    const model = writeTempModel(
      constantOutputModel([{ name: 'softmax', dims: [1, sequence.length, classes], values: probs }], ['n', 3, 48, 'w']),
      'rec-known',
    );
    const config = loadConfig({ FILMROOM_OCR_MODEL: model, FILMROOM_OCR_DICTIONARY: join(dir, 'keys.txt'), FILMROOM_OCR_THREADS: '1' }).ocr;
    const recognizer = await createTextRecognizer(config);
    try {
      const [read] = await recognizer.recognize([{ width: 30, height: 10, data: new Uint8Array(900) }]);
      expect(read).toEqual({ text: 'HI !', confidence: expect.closeTo(0.8, 5) });
      expect(recognizer.model).toEqual({ name: 'rec-known', version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    } finally {
      await recognizer.close();
    }
  });

  it('a missing model file is a permanent MODEL_FAILED naming it', async () => {
    const config = loadConfig({ FILMROOM_OCR_MODEL: '/nonexistent/rec.onnx' }).ocr;
    await expect(createTextRecognizer(config)).rejects.toMatchObject({
      code: 'MODEL_FAILED',
      retriable: false,
      message: expect.stringContaining('/nonexistent/rec.onnx'),
    });
  });
});
