import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiKeyEntry, envSchema, secretVariables, type Env } from './config-env.ts';
import { inferenceConfig } from './config-inference.ts';
import { transformConfig } from './config-transform.ts';
import { FilmroomError } from './errors.ts';

export { bundledOcrModels } from './config-inference.ts';
export type { Env } from './config-env.ts';

/** The repository root: default home of the local stack's data. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseApiKeys(entries: string[]): { name: string; role: 'uploader' | 'reader' | 'operator'; secret: string }[] {
  return entries.filter(Boolean).map((entry) => {
    const [, name, role, secret] = apiKeyEntry.exec(entry)!;
    return { name: name!, role: role as 'uploader' | 'reader' | 'operator', secret: secret! };
  });
}

/** Keys from FILMROOM_API_KEYS_FILE; a bad line is named by its number, never shown (it may hold a secret). */
function apiKeysFromFile(path: string | undefined): ReturnType<typeof parseApiKeys> {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FilmroomError('CONFIG_INVALID', `invalid configuration: FILMROOM_API_KEYS_FILE: cannot read ${path}: ${(error as Error).message}`, {
      context: { variables: ['FILMROOM_API_KEYS_FILE'] },
    });
  }
  const entries: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (!apiKeyEntry.test(line)) {
      throw new FilmroomError(
        'CONFIG_INVALID',
        `invalid configuration: FILMROOM_API_KEYS_FILE: ${path} line ${index + 1}: expected name:role:secret (role uploader, reader or operator; secret of 16+ characters)`,
        { context: { variables: ['FILMROOM_API_KEYS_FILE'] } },
      );
    }
    entries.push(line);
  });
  return parseApiKeys(entries);
}

/** `LEFT=FAR_LEFT+NEAR_RIGHT;RIGHT=FAR_RIGHT+NEAR_LEFT` → { LEFT: [FAR_LEFT, NEAR_RIGHT], RIGHT: [...] } (format checked by the schema). */
function parseAngleMap(text: string): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const entry of text.split(';')) {
    const [angle, cameras] = entry.split('=') as [string, string];
    if (map[angle]) throw new FilmroomError('CONFIG_INVALID', `invalid configuration: FILMROOM_CLIPS_ANGLE_MAP names angle ${angle} twice`);
    map[angle] = [...new Set(cameras.split('+'))];
  }
  return map;
}

function toConfig(env: Env) {
  const home = isAbsolute(env.FILMROOM_HOME) ? env.FILMROOM_HOME : resolve(projectRoot, env.FILMROOM_HOME);
  const loopback = '127.0.0.1';
  if (env.FILMROOM_PROCESSOR_HEARTBEAT_MS * 3 > env.FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS) {
    throw new FilmroomError(
      'CONFIG_INVALID',
      `invalid configuration: FILMROOM_PROCESSOR_HEARTBEAT_MS (${env.FILMROOM_PROCESSOR_HEARTBEAT_MS}) must be at most a third of FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS (${env.FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS})`,
      { context: { variables: ['FILMROOM_PROCESSOR_HEARTBEAT_MS', 'FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS'] } },
    );
  }
  if (env.FILMROOM_RETRY_INITIAL_MS > env.FILMROOM_RETRY_MAX_MS) {
    throw new FilmroomError('CONFIG_INVALID', 'invalid configuration: FILMROOM_RETRY_INITIAL_MS must not exceed FILMROOM_RETRY_MAX_MS', {
      context: { variables: ['FILMROOM_RETRY_INITIAL_MS', 'FILMROOM_RETRY_MAX_MS'] },
    });
  }
  return {
    home,
    cacheDir: resolve(env.FILMROOM_CACHE_DIR),
    logLevel: env.FILMROOM_LOG_LEVEL,
    stackStartTimeoutMs: env.FILMROOM_STACK_START_TIMEOUT * 1000,
    topics: {
      partitions: env.FILMROOM_TOPIC_PARTITIONS,
      prefix: env.FILMROOM_TOPIC_PREFIX,
    },
    processor: {
      concurrency: env.FILMROOM_PROCESSOR_CONCURRENCY,
      sessionTimeoutMs: env.FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS,
      heartbeatMs: env.FILMROOM_PROCESSOR_HEARTBEAT_MS,
      commitIntervalMs: env.FILMROOM_PROCESSOR_COMMIT_INTERVAL_MS,
      shutdownGraceMs: env.FILMROOM_PROCESSOR_SHUTDOWN_GRACE_MS,
    },
    frames: {
      cacheBatches: env.FILMROOM_FRAME_CACHE_BATCHES,
    },
    projection: {
      batchRows: env.FILMROOM_PROJECTION_BATCH_ROWS,
      lingerMs: env.FILMROOM_PROJECTION_LINGER_MS,
      writerThreads: env.FILMROOM_PROJECTION_WRITER_THREADS,
    },
    extract: {
      maxBundleBytes: env.FILMROOM_EXTRACT_MAX_BUNDLE_BYTES,
      jpegQuality: env.FILMROOM_EXTRACT_JPEG_QUALITY,
      tmpDir: env.FILMROOM_EXTRACT_TMP_DIR,
      segmentSeconds: env.FILMROOM_EXTRACT_SEGMENT_SECONDS,
    },
    checks: {
      version: env.FILMROOM_CHECK_VERSION,
    },
    ...inferenceConfig(env),
    transform: transformConfig(env),
    clips: {
      angleMap: parseAngleMap(env.FILMROOM_CLIPS_ANGLE_MAP),
      mode: env.FILMROOM_CLIPS_MODE,
      preset: env.FILMROOM_CLIPS_PRESET,
      crf: env.FILMROOM_CLIPS_CRF,
      tmpDir: env.FILMROOM_CLIPS_TMP_DIR,
      cutTimeoutMs: env.FILMROOM_CLIPS_CUT_TIMEOUT_S * 1000,
    },
    render: {
      thumbnails: env.FILMROOM_RENDER_THUMBNAILS,
      previewFps: env.FILMROOM_RENDER_PREVIEW_FPS,
      width: env.FILMROOM_RENDER_WIDTH,
    },
    api: {
      host: env.FILMROOM_API_HOST,
      port: env.FILMROOM_API_PORT,
      bodyLimit: env.FILMROOM_API_BODY_LIMIT,
      uploadLimit: env.FILMROOM_API_UPLOAD_LIMIT,
      sseHeartbeatMs: env.FILMROOM_API_SSE_HEARTBEAT_MS,
      keys: [...parseApiKeys((env.FILMROOM_API_KEYS ?? '').split(',')), ...apiKeysFromFile(env.FILMROOM_API_KEYS_FILE)],
    },
    metrics: {
      host: env.FILMROOM_API_HOST,
      port: env.FILMROOM_METRICS_PORT,
    },
    retry: {
      maxAttempts: env.FILMROOM_RETRY_MAX_ATTEMPTS,
      initialDelayMs: env.FILMROOM_RETRY_INITIAL_MS,
      maxDelayMs: env.FILMROOM_RETRY_MAX_MS,
      factor: 2,
    },
    kafka: {
      brokers: (env.FILMROOM_KAFKA_BROKERS ?? `${loopback}:${env.FILMROOM_KAFKA_PORT}`).split(',').map((b) => b.trim()),
      port: env.FILMROOM_KAFKA_PORT,
      controllerPort: env.FILMROOM_KAFKA_CONTROLLER_PORT,
      heap: env.FILMROOM_KAFKA_HEAP,
    },
    registry: {
      url: env.FILMROOM_REGISTRY_URL ?? `http://${loopback}:${env.FILMROOM_REGISTRY_PORT}/apis/ccompat/v7`,
      port: env.FILMROOM_REGISTRY_PORT,
      managementPort: env.FILMROOM_REGISTRY_MANAGEMENT_PORT,
      heap: env.FILMROOM_REGISTRY_HEAP,
    },
    clickhouse: {
      url: env.FILMROOM_CLICKHOUSE_URL ?? `http://${loopback}:${env.FILMROOM_CLICKHOUSE_HTTP_PORT}`,
      httpPort: env.FILMROOM_CLICKHOUSE_HTTP_PORT,
      tcpPort: env.FILMROOM_CLICKHOUSE_TCP_PORT,
      user: env.FILMROOM_CLICKHOUSE_USER,
      password: env.FILMROOM_CLICKHOUSE_PASSWORD,
      database: env.FILMROOM_CLICKHOUSE_DATABASE,
    },
    s3: {
      endpoint: env.FILMROOM_S3_ENDPOINT ?? `http://${loopback}:${env.FILMROOM_S3_PORT}`,
      port: env.FILMROOM_S3_PORT,
      heap: env.FILMROOM_S3_HEAP,
      region: env.FILMROOM_S3_REGION,
      accessKeyId: env.FILMROOM_S3_ACCESS_KEY,
      secretAccessKey: env.FILMROOM_S3_SECRET_KEY,
      buckets: {
        uploads: env.FILMROOM_S3_BUCKET_UPLOADS,
        artifacts: env.FILMROOM_S3_BUCKET_ARTIFACTS,
        exports: env.FILMROOM_S3_BUCKET_EXPORTS,
      },
    },
  };
}

export type Config = ReturnType<typeof toConfig>;
export type KafkaConfig = Config['kafka'];
export type ClickHouseConfig = Config['clickhouse'];
export type S3Config = Config['s3'];
export type RegistryConfig = Config['registry'];
export type TopicsConfig = Config['topics'];
export type ProcessorConfig = Config['processor'];
export type RetryConfig = Config['retry'];
export type ExtractConfig = Config['extract'];
export type ApiConfig = Config['api'];
export type DetectConfig = Config['detect'];
export type OcrConfig = Config['ocr'];
export type PersonSegmentConfig = Config['personSegment'];
export type ClipsConfig = Config['clips'];
export type RenderConfig = Config['render'];
export type FramesConfig = Config['frames'];
export type TransformConfig = Config['transform'];

/**
 * Reads and validates the environment once, at an entry point. Fails with every offending
 * variable named, e.g. `FILMROOM_KAFKA_PORT: Too big: expected number to be <=65535 (got "70000")`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return secretVariables.has(name) ? `${name}: ${issue.message}` : `${name}: ${issue.message} (got ${JSON.stringify(env[name])})`;
    });
    throw new FilmroomError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
      context: { variables: parsed.error.issues.map((i) => String(i.path[0])) },
    });
  }
  return toConfig(parsed.data);
}
