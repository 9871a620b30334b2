import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('detect and ocr configuration', () => {
  it('defaults to the committed NanoDet for objects and the bundled PP-OCR models for text, found through the package, with family defaults', () => {
    const config = loadConfig({});
    expect(config.detect).toMatchObject({
      adapter: 'onnx',
      family: 'nanodet',
      modelName: 'nanodet-416',
      inputSize: 416,
      classNames: [],
      scoreThreshold: 0.35,
    });
    expect(config.detect.modelPath).toMatch(/models\/object-detector\/nanodet\.onnx$/);
    expect(config.textDetect).toMatchObject({
      adapter: 'onnx',
      family: 'db',
      modelName: 'ppocr-det-v4',
      inputSize: 960,
      classNames: ['text'],
      scoreThreshold: 0.6,
    });
    expect(existsSync(config.detect.modelPath)).toBe(true);
    expect(existsSync(config.textDetect.modelPath)).toBe(true);
    expect(existsSync(config.ocr.modelPath)).toBe(true);
    expect(existsSync(config.ocr.dictionaryPath)).toBe(true);
    expect(config.ocr).toMatchObject({ modelName: 'ppocr-rec-v4', minConfidence: 0.5, classes: ['text'] });
  });

  it('keeps FILMROOM_DETECT_FAMILY=db without a model meaning the bundled PP-OCR text detector', () => {
    expect(loadConfig({ FILMROOM_DETECT_FAMILY: 'db' }).detect).toMatchObject({ modelName: 'ppocr-det-v4', inputSize: 960, classNames: ['text'] });
  });

  it('takes a drop-in YOLO model by path with its classes, input size and thresholds', () => {
    const config = loadConfig({
      FILMROOM_DETECT_MODEL: '/models/players.onnx',
      FILMROOM_DETECT_FAMILY: 'yolo',
      FILMROOM_DETECT_CLASSES: 'player, ball',
      FILMROOM_DETECT_NMS_IOU: '0.5',
    });
    expect(config.detect).toMatchObject({
      modelPath: '/models/players.onnx',
      modelName: 'players',
      inputSize: 640,
      classNames: ['player', 'ball'],
      scoreThreshold: 0.25,
      nmsIou: 0.5,
    });
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => loadConfig({ FILMROOM_DETECT_FAMILY: 'yolo' })).toThrow(/FILMROOM_DETECT_MODEL is required when FILMROOM_DETECT_FAMILY is yolo/);
    expect(() => loadConfig({ FILMROOM_DETECT_ADAPTER: 'http' })).toThrow(/FILMROOM_DETECT_HTTP_URL is required/);
    expect(() => loadConfig({ FILMROOM_DETECT_ADAPTER: 'command' })).toThrow(/FILMROOM_DETECT_COMMAND is required/);
    expect(() => loadConfig({ FILMROOM_DETECT_FAMILY: 'ssd' })).toThrow(/FILMROOM_DETECT_FAMILY/);
    expect(() => loadConfig({ FILMROOM_OCR_MIN_CONFIDENCE: '1.5' })).toThrow(/FILMROOM_OCR_MIN_CONFIDENCE/);
    expect(loadConfig({ FILMROOM_DETECT_ADAPTER: 'command', FILMROOM_DETECT_COMMAND: 'python3  serve.py --cpu' }).detect.command).toEqual([
      'python3',
      'serve.py',
      '--cpu',
    ]);
  });
});
