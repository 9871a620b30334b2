import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FilmroomError } from './errors.ts';

/** The repository root: default home of the local stack's data. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const heap = (fallback: string) =>
  z
    .string()
    .regex(/^\d+[mMgG]$/, 'expected a JVM heap size such as 512m or 1g')
    .default(fallback);

/**
 * Every environment variable filmroom reads, with its default. This schema is both the validator
 * and (through `loadConfig`) the source of the typed config object: there is no second declaration.
 */
const envSchema = z.object({
  FILMROOM_HOME: z.string().min(1).default('.filmroom'),
  FILMROOM_CACHE_DIR: z
    .string()
    .min(1)
    .default(resolve(homedir(), '.cache', 'filmroom')),
  FILMROOM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  FILMROOM_KAFKA_PORT: port(19092),
  FILMROOM_KAFKA_CONTROLLER_PORT: port(19093),
  FILMROOM_KAFKA_HEAP: heap('512m'),
  /** Overrides the broker list, e.g. when Kafka runs elsewhere; default is the local stack. */
  FILMROOM_KAFKA_BROKERS: z.string().optional(),

  FILMROOM_REGISTRY_PORT: port(18081),
  FILMROOM_REGISTRY_MANAGEMENT_PORT: port(18082),
  FILMROOM_REGISTRY_HEAP: heap('384m'),
  FILMROOM_REGISTRY_URL: z.url().optional(),

  FILMROOM_CLICKHOUSE_HTTP_PORT: port(18123),
  FILMROOM_CLICKHOUSE_TCP_PORT: port(19001),
  FILMROOM_CLICKHOUSE_URL: z.url().optional(),
  FILMROOM_CLICKHOUSE_USER: z.string().min(1).default('filmroom'),
  FILMROOM_CLICKHOUSE_PASSWORD: z.string().default('filmroom'),
  FILMROOM_CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('filmroom'),

  FILMROOM_S3_PORT: port(19000),
  FILMROOM_S3_HEAP: heap('256m'),
  FILMROOM_S3_ENDPOINT: z.url().optional(),
  FILMROOM_S3_REGION: z.string().min(1).default('us-east-1'),
  FILMROOM_S3_ACCESS_KEY: z.string().min(3).default('filmroom'),
  FILMROOM_S3_SECRET_KEY: z.string().min(8).default('filmroom-secret'),
  FILMROOM_S3_BUCKET_UPLOADS: z.string().min(3).default('filmroom-uploads'),
  FILMROOM_S3_BUCKET_ARTIFACTS: z.string().min(3).default('filmroom-artifacts'),
  FILMROOM_S3_BUCKET_EXPORTS: z.string().min(3).default('filmroom-exports'),

  /** Partitions of each event topic when filmroom creates it. */
  FILMROOM_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  /** Prefix for every topic and consumer group name: isolates tests, or tenants on one cluster. */
  FILMROOM_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, dot, underscore and dash only')
    .default(''),

  /** Partitions one processor instance works on at the same time. */
  FILMROOM_PROCESSOR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30_000),
  FILMROOM_PROCESSOR_HEARTBEAT_MS: z.coerce.number().int().min(100).default(3000),
  /** How often resolved offsets are committed (they are also committed at each batch end). */
  FILMROOM_PROCESSOR_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  /** On SIGTERM, how long in-flight work may finish before it is abandoned (uncommitted). */
  FILMROOM_PROCESSOR_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Handler attempts for transient errors before the input goes to the dead-letter topic. */
  FILMROOM_RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  FILMROOM_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(200),
  FILMROOM_RETRY_MAX_MS: z.coerce.number().int().min(1).default(10_000),

  /** Largest TAR bundle (sum of its entries) the extract stage unpacks. */
  FILMROOM_EXTRACT_MAX_BUNDLE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(20 * 1024 ** 3),
  /** ffmpeg mjpeg quality of stored frames: 2 (best, largest) .. 31. */
  FILMROOM_EXTRACT_JPEG_QUALITY: z.coerce.number().int().min(2).max(31).default(3),
  /** Where the extract stage downloads and unpacks sources (removed after each video). */
  FILMROOM_EXTRACT_TMP_DIR: z.string().min(1).default(tmpdir()),
  /** The check configuration the checks processor runs (its consumer group is named after it). */
  FILMROOM_CHECK_VERSION: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore and dash only')
    .default('v1'),

  /**
   * Which camera videos a play's angle is cut from: `ANGLE=CAMERA+CAMERA` entries separated by `;`.
   * The default is the basketball clip pipeline's mapping.
   */
  FILMROOM_CLIPS_ANGLE_MAP: z
    .string()
    .regex(
      /^[A-Z][A-Z0-9_]*=[A-Z][A-Z0-9_]*(\+[A-Z][A-Z0-9_]*)*(;[A-Z][A-Z0-9_]*=[A-Z][A-Z0-9_]*(\+[A-Z][A-Z0-9_]*)*)*$/,
      'expected ANGLE=CAMERA+CAMERA entries separated by ; (upper case), e.g. LEFT=FAR_LEFT+NEAR_RIGHT;RIGHT=FAR_RIGHT+NEAR_LEFT',
    )
    .default('LEFT=FAR_LEFT+NEAR_RIGHT;RIGHT=FAR_RIGHT+NEAR_LEFT'),
  /** How clips are cut unless a request says otherwise: reencode (libx264/aac, frame-accurate) or copy (stream copy, keyframe-aligned). */
  FILMROOM_CLIPS_MODE: z.enum(['reencode', 'copy']).default('reencode'),
  /** x264 preset and constant rate factor of re-encoded clips. */
  FILMROOM_CLIPS_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow']).default('ultrafast'),
  FILMROOM_CLIPS_CRF: z.coerce.number().int().min(0).max(51).default(23),
  /** Where the clips processor downloads a source video and cuts its clips (removed after each video). */
  FILMROOM_CLIPS_TMP_DIR: z.string().min(1).default(tmpdir()),
  /** How long one ffmpeg cut may run before the clip is reported failed. */
  FILMROOM_CLIPS_CUT_TIMEOUT_S: z.coerce.number().int().min(1).default(600),

  /** Evenly spaced thumbnails the render stage picks per video (also the contact sheet's tiles). */
  FILMROOM_RENDER_THUMBNAILS: z.coerce.number().int().min(1).max(100).default(9),
  /** Frame rate of the annotated preview MP4 (its frames are the sampled frames). */
  FILMROOM_RENDER_PREVIEW_FPS: z.coerce.number().min(0.1).max(60).default(2),
  /** Width of the preview and thumbnails in pixels (height follows the aspect ratio). */
  FILMROOM_RENDER_WIDTH: z.coerce.number().int().min(32).max(3840).default(640),

  FILMROOM_API_HOST: z.string().min(1).default('127.0.0.1'),
  FILMROOM_API_PORT: port(8080),
  /** API keys as `name:role:secret` entries separated by commas; roles: uploader, reader, operator. */
  FILMROOM_API_KEYS: z
    .string()
    .regex(
      /^([A-Za-z0-9_.-]+:(uploader|reader|operator):[^,:\s]{16,})(,[A-Za-z0-9_.-]+:(uploader|reader|operator):[^,:\s]{16,})*$/,
      'expected name:role:secret entries (role uploader, reader or operator; secret of 16+ characters) separated by commas',
    )
    .optional(),
  /** Largest request body the API accepts, in bytes. */
  FILMROOM_API_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Largest file POST /v1/uploads accepts, in bytes. */
  FILMROOM_API_UPLOAD_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * 1024 ** 3),

  /** Seconds `stack up` waits for each service to become healthy. */
  FILMROOM_STACK_START_TIMEOUT: z.coerce.number().int().min(5).default(180),
});

export type Env = z.infer<typeof envSchema>;

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
    extract: {
      maxBundleBytes: env.FILMROOM_EXTRACT_MAX_BUNDLE_BYTES,
      jpegQuality: env.FILMROOM_EXTRACT_JPEG_QUALITY,
      tmpDir: env.FILMROOM_EXTRACT_TMP_DIR,
    },
    checks: {
      version: env.FILMROOM_CHECK_VERSION,
    },
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
      keys: (env.FILMROOM_API_KEYS ?? '')
        .split(',')
        .filter(Boolean)
        .map((entry) => {
          const [name, role, ...secret] = entry.split(':');
          return { name: name!, role: role as 'uploader' | 'reader' | 'operator', secret: secret.join(':') };
        }),
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
export type ClipsConfig = Config['clips'];
export type RenderConfig = Config['render'];

/**
 * Reads and validates the environment once, at an entry point. Fails with every offending
 * variable named, e.g. `FILMROOM_KAFKA_PORT: Too big: expected number to be <=65535 (got "70000")`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}: ${issue.message} (got ${JSON.stringify(env[name])})`;
    });
    throw new FilmroomError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
      context: { variables: parsed.error.issues.map((i) => String(i.path[0])) },
    });
  }
  return toConfig(parsed.data);
}
