/**
 * The one error taxonomy. Every error filmroom raises on purpose is a FilmroomError with a code
 * from this closed list; `retriable` says whether trying again can help (transient) or not
 * (permanent). Mapping to HTTP statuses or exit codes happens only at the edges (API, CLI).
 */
export const errorCodes = {
  CONFIG_INVALID: { retriable: false },
  USAGE: { retriable: false },
  /** A request (API body, query, form field; command option) breaks a rule; the message names the field. */
  VALIDATION_FAILED: { retriable: false },
  /** No credentials, or credentials that match no key. */
  UNAUTHORIZED: { retriable: false },
  /** Valid credentials without the right to do this. */
  FORBIDDEN: { retriable: false },
  /** What was asked for (a video, a game's plays, a render, a replay) is not in the read model. */
  NOT_FOUND: { retriable: false },
  /** A request its schema accepts whose content breaks the rules beyond it (e.g. plays whose rows are all invalid). */
  UNPROCESSABLE: { retriable: false },
  /** The request conflicts with work under way on the same thing (a video posted while its deletion is carried out). */
  CONFLICT: { retriable: false },
  /** An idempotency key sent again with another request than the one it first came with. */
  IDEMPOTENCY_KEY_REUSED: { retriable: false },
  /** An upload larger than the configured limit. */
  PAYLOAD_TOO_LARGE: { retriable: false },
  /** A request body in a media type the endpoint does not take. */
  UNSUPPORTED_MEDIA_TYPE: { retriable: false },
  NOT_YET_AVAILABLE: { retriable: false },
  PREREQUISITE_MISSING: { retriable: false },
  INSTALL_FAILED: { retriable: false },
  SERVICE_START_FAILED: { retriable: false },
  SERVICE_UNHEALTHY: { retriable: true },
  SERVICE_UNAVAILABLE: { retriable: true },
  RETRIES_EXHAUSTED: { retriable: false },
  /** An input record that cannot be decoded: wrong magic byte, bad Avro, wrong shape. */
  MALFORMED_EVENT: { retriable: false },
  /** An input record written with a schema id the registry does not know. */
  UNKNOWN_SCHEMA: { retriable: false },
  SCHEMA_INCOMPATIBLE: { retriable: false },
  TOPIC_MISCONFIGURED: { retriable: false },
  /** A handler decided the input can never be processed. */
  HANDLER_FAILED: { retriable: false },
  /** A handler produced an output its schema rejects: a bug in the processor. */
  INVALID_OUTPUT: { retriable: false },
  /** The source a video-ingested event points at does not exist. */
  SOURCE_NOT_FOUND: { retriable: false },
  /** The source exists but is not what it should be: not a video, no video stream, empty, hostile TAR. */
  INVALID_SOURCE: { retriable: false },
  /** ffmpeg stopped decoding part-way through a video. */
  DECODE_FAILED: { retriable: false },
  /** The source decodes to clearly less than its container declares (a truncated file). */
  SOURCE_TRUNCATED: { retriable: false },
  /** A clip (or render) asks for a time range the video does not have. */
  OUT_OF_RANGE: { retriable: false },
  /** ffmpeg could not cut a clip or encode a render from a readable source. */
  ENCODE_FAILED: { retriable: false },
  /** A model could not be loaded or rejected its input (wrong shape, bad file, a service's 4xx or error answer). */
  MODEL_FAILED: { retriable: false },
  /** A remote or subprocess model did not answer in time or is down (timeout, 5xx, exited): may pass. */
  MODEL_UNAVAILABLE: { retriable: true },
  /** Work given up on purpose (shutdown): neither success nor failure of the input. */
  ABORTED: { retriable: false },
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** Where an error happened: enough to find the event, process or file it concerns. */
export type ErrorContext = Record<string, string | number | boolean | string[] | undefined>;

export class FilmroomError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: ErrorContext;
  /** Per-item problems behind the error, when there are several (the rejected rows of an import). */
  readonly details?: readonly object[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext; retriable?: boolean; details?: readonly object[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FilmroomError';
    this.code = code;
    this.retriable = options.retriable ?? errorCodes[code].retriable;
    this.context = options.context ?? {};
    if (options.details) this.details = options.details;
  }
}

/** Programming errors are never worth a retry. */
export function isProgrammingError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof ReferenceError;
}

/** Whether retrying can help: FilmroomErrors say so themselves; unknown errors are presumed transient. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof FilmroomError) return error.retriable;
  if (isProgrammingError(error)) return false;
  return true;
}

/** Socket errors that say a service could not be reached at all, rather than that it refused the request. */
const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * Whether the error, or one of its causes, is a connection that could not be made or was cut: the
 * service is down or restarting, which says nothing about the request itself.
 */
export function isUnreachable(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && unreachableCodes.has(code)) return true;
    if (cause instanceof AggregateError && cause.errors.some(isUnreachable)) return true;
  }
  return false;
}

/** One readable line for a CLI or log: the message plus the innermost cause. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.message;
  let cause: unknown = error.cause;
  while (cause instanceof Error) {
    if (!text.includes(cause.message)) text += `: ${cause.message}`;
    cause = cause.cause;
  }
  return text;
}

/**
 * Adds where an error happened to a FilmroomError's context (keys it already has win); other
 * errors are returned as they are. Used where a lower layer raised the error without knowing the record.
 */
export function withContext(error: unknown, context: ErrorContext): unknown {
  if (!(error instanceof FilmroomError)) return error;
  for (const [key, value] of Object.entries(context)) if (value !== undefined && error.context[key] === undefined) error.context[key] = value;
  return error;
}
