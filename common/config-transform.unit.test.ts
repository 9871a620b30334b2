import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('transform configuration', () => {
  it('defaults to the mock adapter under the name model, version 1, with the old pipeline timeout of 300 s and no model size', () => {
    expect(loadConfig({}).transform).toMatchObject({
      adapter: 'mock',
      name: 'model',
      version: '1',
      python: 'python3',
      timeoutMs: 300_000,
      modelSize: undefined,
    });
  });

  it("reads the old pipeline's variable names unchanged", () => {
    const subprocess = loadConfig({
      MODEL_ADAPTER_TYPE: 'subprocess',
      PYTHON_PATH: '/opt/venv/bin/python',
      PYTHON_SCRIPT: '/models/cartoon.py',
      MODEL_API_TIMEOUT: '12.5',
    });
    expect(subprocess.transform).toMatchObject({ adapter: 'subprocess', python: '/opt/venv/bin/python', script: '/models/cartoon.py', timeoutMs: 12_500 });
    const http = loadConfig({ MODEL_ADAPTER_TYPE: 'http', MODEL_API_URL: 'http://127.0.0.1:5000/inference' });
    expect(http.transform).toMatchObject({ adapter: 'http', url: 'http://127.0.0.1:5000/inference', timeoutMs: 300_000 });
    expect(loadConfig({ MODEL_ADAPTER_TYPE: 'python', PYTHON_SCRIPT: 'x.py' }).transform.adapter).toBe('subprocess');
    expect(loadConfig({ MODEL_ADAPTER_TYPE: 'api', MODEL_API_URL: 'http://h/i' }).transform.adapter).toBe('http');
  });

  it('lets the filmroom names win over the old ones when both are set', () => {
    const config = loadConfig({
      MODEL_ADAPTER_TYPE: 'http',
      MODEL_API_URL: 'http://old/inference',
      MODEL_API_TIMEOUT: '5',
      FILMROOM_TRANSFORM_ADAPTER: 'http',
      FILMROOM_TRANSFORM_URL: 'http://new/inference',
      FILMROOM_TRANSFORM_TIMEOUT_S: '7',
      FILMROOM_TRANSFORM_WIDTH: '256',
      FILMROOM_TRANSFORM_HEIGHT: '144',
    });
    expect(config.transform).toMatchObject({ url: 'http://new/inference', timeoutMs: 7000, modelSize: { width: 256, height: 144 } });
  });

  it('fails fast naming the variables an adapter needs, and a model size given by half', () => {
    expect(() => loadConfig({ MODEL_ADAPTER_TYPE: 'subprocess' })).toThrow(/FILMROOM_TRANSFORM_SCRIPT \(or PYTHON_SCRIPT\) is required/);
    expect(() => loadConfig({ FILMROOM_TRANSFORM_ADAPTER: 'http' })).toThrow(/FILMROOM_TRANSFORM_URL \(or MODEL_API_URL\) is required/);
    expect(() => loadConfig({ FILMROOM_TRANSFORM_WIDTH: '256' })).toThrow(/set together or not at all/);
    expect(() => loadConfig({ MODEL_ADAPTER_TYPE: 'onnx' })).toThrow(/MODEL_ADAPTER_TYPE/);
    expect(() => loadConfig({ FILMROOM_TRANSFORM_NAME: 'Blur@2' })).toThrow(/FILMROOM_TRANSFORM_NAME/);
  });

  it("reads blur-background's blur or colour, and refuses a colour that is not #rrggbb or a blur out of range", () => {
    expect(loadConfig({}).transform.background).toEqual({ blur: 0.03 });
    expect(loadConfig({ FILMROOM_TRANSFORM_BACKGROUND_BLUR: '0.05', FILMROOM_TRANSFORM_BACKGROUND_COLOUR: '#00B140' }).transform.background).toEqual({
      blur: 0.05,
      colour: [0, 177, 64],
    });
    expect(loadConfig({ FILMROOM_TRANSFORM_BACKGROUND_COLOUR: '00b140' }).transform.background.colour).toEqual([0, 177, 64]);
    expect(() => loadConfig({ FILMROOM_TRANSFORM_BACKGROUND_COLOUR: 'green' })).toThrow(/FILMROOM_TRANSFORM_BACKGROUND_COLOUR: expected a colour as #rrggbb/);
    expect(() => loadConfig({ FILMROOM_TRANSFORM_BACKGROUND_BLUR: '2' })).toThrow(/FILMROOM_TRANSFORM_BACKGROUND_BLUR/);
  });
});
