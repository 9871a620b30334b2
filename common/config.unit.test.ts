import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilmroomError } from './errors.ts';
import { loadConfig, projectRoot } from './config.ts';

describe('loadConfig', () => {
  it('given an empty environment, uses the documented local-stack defaults', () => {
    const config = loadConfig({});
    expect(config.home).toBe(`${projectRoot}/.filmroom`);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(config.registry.url).toBe('http://127.0.0.1:18081/apis/ccompat/v7');
    expect(config.clickhouse.url).toBe('http://127.0.0.1:18123');
    expect(config.s3.endpoint).toBe('http://127.0.0.1:19000');
  });

  it('derives client addresses from changed ports, and explicit URLs win over ports', () => {
    const config = loadConfig({ FILMROOM_KAFKA_PORT: '29092', FILMROOM_S3_PORT: '29000', FILMROOM_CLICKHOUSE_URL: 'http://ch.internal:8123' });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:29092']);
    expect(config.s3.endpoint).toBe('http://127.0.0.1:29000');
    expect(config.clickhouse.url).toBe('http://ch.internal:8123');
  });

  it('splits a broker list and resolves a relative home against the project root', () => {
    const config = loadConfig({ FILMROOM_KAFKA_BROKERS: 'a:1, b:2', FILMROOM_HOME: 'tmp/home' });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.home).toBe(`${projectRoot}/tmp/home`);
  });

  it('fails fast naming every bad variable and what it got', () => {
    let thrown: unknown;
    try {
      loadConfig({ FILMROOM_KAFKA_PORT: 'abc', FILMROOM_KAFKA_HEAP: 'lots', FILMROOM_LOG_LEVEL: 'loud' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FilmroomError);
    const error = thrown as FilmroomError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('FILMROOM_KAFKA_PORT');
    expect(error.message).toContain('"abc"');
    expect(error.message).toContain('FILMROOM_KAFKA_HEAP');
    expect(error.message).toContain('FILMROOM_LOG_LEVEL');
    expect(error.context.variables).toEqual(['FILMROOM_LOG_LEVEL', 'FILMROOM_KAFKA_PORT', 'FILMROOM_KAFKA_HEAP']);
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig({ FILMROOM_REGISTRY_PORT: '70000' })).toThrow(/FILMROOM_REGISTRY_PORT.*70000/);
  });
});

describe('cross-field rules', () => {
  it('rejects a heartbeat longer than a third of the session timeout, naming both variables', () => {
    expect(() => loadConfig({ FILMROOM_PROCESSOR_HEARTBEAT_MS: '15000', FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS: '30000' })).toThrow(
      /FILMROOM_PROCESSOR_HEARTBEAT_MS \(15000\) must be at most a third of FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS \(30000\)/,
    );
  });

  it('rejects an initial retry delay above the cap', () => {
    expect(() => loadConfig({ FILMROOM_RETRY_INITIAL_MS: '500', FILMROOM_RETRY_MAX_MS: '100' })).toThrow(/FILMROOM_RETRY_INITIAL_MS/);
  });

  it('rejects a topic prefix with characters Kafka does not allow', () => {
    expect(() => loadConfig({ FILMROOM_TOPIC_PREFIX: 'a/b' })).toThrow(/FILMROOM_TOPIC_PREFIX/);
  });
});

describe('clips and render settings', () => {
  it('defaults to the basketball pipeline angle mapping and re-encoding with ultrafast/crf 23', () => {
    const config = loadConfig({});
    expect(config.clips.angleMap).toEqual({ LEFT: ['FAR_LEFT', 'NEAR_RIGHT'], RIGHT: ['FAR_RIGHT', 'NEAR_LEFT'] });
    expect(config.clips).toMatchObject({ mode: 'reencode', preset: 'ultrafast', crf: 23 });
    expect(config.render).toEqual({ thumbnails: 9, previewFps: 2, width: 640 });
  });

  it('reads another angle mapping, and rejects a malformed or repeated one naming the variable', () => {
    expect(loadConfig({ FILMROOM_CLIPS_ANGLE_MAP: 'LEFT=CAM_A;RIGHT=CAM_B+CAM_C' }).clips.angleMap).toEqual({ LEFT: ['CAM_A'], RIGHT: ['CAM_B', 'CAM_C'] });
    expect(() => loadConfig({ FILMROOM_CLIPS_ANGLE_MAP: 'LEFT:FAR_LEFT' })).toThrow(/FILMROOM_CLIPS_ANGLE_MAP/);
    expect(() => loadConfig({ FILMROOM_CLIPS_ANGLE_MAP: 'LEFT=A;LEFT=B' })).toThrow(/FILMROOM_CLIPS_ANGLE_MAP names angle LEFT twice/);
    expect(() => loadConfig({ FILMROOM_CLIPS_CRF: '60' })).toThrow(/FILMROOM_CLIPS_CRF/);
  });
});

describe('API keys', () => {
  it('reads keys from FILMROOM_API_KEYS and from FILMROOM_API_KEYS_FILE (comments and blank lines skipped)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'filmroom-keys-')), 'keys');
    writeFileSync(file, '# operators\nops:operator:operator-secret-0123456789\n\nbi:reader:reader-secret-0123456789\n');
    const config = loadConfig({ FILMROOM_API_KEYS: 'up:uploader:uploader-secret-0123456789', FILMROOM_API_KEYS_FILE: file });
    expect(config.api.keys).toEqual([
      { name: 'up', role: 'uploader', secret: 'uploader-secret-0123456789' },
      { name: 'ops', role: 'operator', secret: 'operator-secret-0123456789' },
      { name: 'bi', role: 'reader', secret: 'reader-secret-0123456789' },
    ]);
  });

  it('names the bad line of a keys file without showing it, and a file that cannot be read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'filmroom-keys-')), 'keys');
    writeFileSync(file, 'ok:reader:reader-secret-0123456789\nbad:admin:short-secret\n');
    expect(() => loadConfig({ FILMROOM_API_KEYS_FILE: file })).toThrow(`FILMROOM_API_KEYS_FILE: ${file} line 2: expected name:role:secret`);
    try {
      loadConfig({ FILMROOM_API_KEYS_FILE: file });
    } catch (error) {
      expect((error as Error).message).not.toContain('short-secret');
    }
    expect(() => loadConfig({ FILMROOM_API_KEYS_FILE: `${file}.missing` })).toThrow(/FILMROOM_API_KEYS_FILE: cannot read .*keys\.missing/);
  });

  it('names a bad FILMROOM_API_KEYS entry by its position and never shows the value (it holds secrets)', () => {
    const value = 'up:uploader:uploader-secret-0123456789,rd:admin:reader-secret-0123456789,op:operator:short';
    let message = '';
    try {
      loadConfig({ FILMROOM_API_KEYS: value });
    } catch (error) {
      message = `${(error as Error).message} ${JSON.stringify(error)}`;
    }
    expect(message).toContain('FILMROOM_API_KEYS: entries 2, 3 of 3 (comma-separated, counted from 1) not name:role:secret');
    for (const secret of ['uploader-secret-0123456789', 'reader-secret-0123456789', 'short', 'admin']) expect(message).not.toContain(secret);
    // Other variables still show what they got.
    expect(() => loadConfig({ FILMROOM_API_PORT: '70000' })).toThrow('(got "70000")');
  });
});
