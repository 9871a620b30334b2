/**
 * The dashboard's one way to reach the API: same origin, the key from this browser session as a
 * bearer token. Types mirror the API's answers (docs/api.md); the web code imports no server code.
 */

export type Role = 'uploader' | 'reader' | 'operator';

export interface JobStatus {
  video_id: string;
  run_id?: string;
  state: string;
  progress_percent?: number;
  extraction_progress?: string;
  detection_progress?: string;
  ocr_progress?: string;
  checks_progress?: string;
  render_progress?: string;
  transform_progress?: string;
  batches_total?: number;
  failures?: number;
  last_error?: string;
  started_at?: string;
  updated_at?: string;
  eta_seconds?: number;
  batches_checked_by_version?: Record<string, number>;
}

export const jobStates = ['queued', 'extracting', 'processing', 'retrying', 'complete', 'failed', 'partially_failed'] as const;
export const terminalStates = new Set(['complete', 'failed', 'partially_failed']);

const keyItem = 'filmroom.key';
const roleItem = 'filmroom.role';
export const storedKey = () => sessionStorage.getItem(keyItem);
/** The role found when the key was entered: a reload needs no round trip to learn it again. */
export const storedRole = () => sessionStorage.getItem(roleItem) as Role | null;
export function storeKey(key: string, role: Role): void {
  sessionStorage.setItem(keyItem, key);
  sessionStorage.setItem(roleItem, role);
}
export function forgetKey(): void {
  sessionStorage.removeItem(keyItem);
  sessionStorage.removeItem(roleItem);
}
/** Dispatched on `window` when the API answers 401 to the kept key (revoked, or the API restarted with other keys). */
export const keyRefusedEvent = 'filmroom:key-refused';

/** An answer that is not 2xx, with the API's `{error, message}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const authorised = (init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...(init.headers as object), authorization: `Bearer ${storedKey() ?? ''}` },
});

async function failureOf(response: Response): Promise<ApiError> {
  if (response.status === 401 && storedKey()) {
    forgetKey();
    dispatchEvent(new Event(keyRefusedEvent));
  }
  const body = (await response.json().catch(() => null)) as { message?: string } | null;
  return new ApiError(response.status, body?.message ?? `${response.status} ${response.statusText}`);
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, authorised(init));
  if (!response.ok) throw await failureOf(response);
  return (await response.json()) as T;
}

export const sendJson = <T>(method: string, path: string, body?: unknown) =>
  getJson<T>(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });

/**
 * What a key may do, asked of the API without side effects: listing videos needs a reader (401 is
 * an unknown key, 403 an uploader's), a replay's status needs an operator (404 for an unknown id).
 */
export async function roleOf(key: string): Promise<Role> {
  const headers = { authorization: `Bearer ${key}` };
  const list = await fetch('/v1/videos?limit=1', { headers });
  if (list.status === 401) throw new ApiError(401, 'The API does not know this key: check it and try again.');
  if (list.status === 403) return 'uploader';
  if (!list.ok) throw await failureOf(list);
  const replay = await fetch('/v1/replays/role-probe', { headers });
  return replay.status === 403 ? 'reader' : 'operator';
}

/** The check versions there are, as the API's own OpenAPI document lists them (those a replay may take, POST /v1/replays). */
export async function checkVersionsOfApi(): Promise<string[]> {
  const document = await fetch('/docs/json').then((r) => r.json() as Promise<{ paths: Record<string, Record<string, unknown>> }>);
  const post = document.paths['/v1/replays']?.post as
    { requestBody?: { content?: Record<string, { schema?: { properties?: { check_version?: { enum?: string[] } } } }> } } | undefined;
  return post?.requestBody?.content?.['application/json']?.schema?.properties?.check_version?.enum ?? [];
}

/** A render file (preview, thumbnail, contact sheet) as an object URL: `<img>` and `<video>` cannot send the key themselves. */
export async function objectUrlOf(path: string): Promise<string> {
  const response = await fetch(path, authorised());
  if (!response.ok) throw await failureOf(response);
  return URL.createObjectURL(await response.blob());
}

/** The complete Server-Sent Events messages in `text` (comments such as `: heartbeat` give none), and what is left of a message still arriving. */
export function serverSentEvents(text: string): { messages: { event: string; data: string }[]; rest: string } {
  const messages: { event: string; data: string }[] = [];
  let rest = text;
  let at: number;
  while ((at = rest.indexOf('\n\n')) >= 0) {
    const message = rest.slice(0, at);
    rest = rest.slice(at + 2);
    const data = /^data: (.*)$/m.exec(message)?.[1];
    if (data !== undefined) messages.push({ event: /^event: (.*)$/m.exec(message)?.[1] ?? 'message', data });
  }
  return { messages, rest };
}

/**
 * Follows `GET /v1/videos/:id/events` (Server-Sent Events, read with fetch because EventSource
 * cannot send the key): `onProgress` for each status, until the `end` event or `stop()`.
 */
export function followVideo(videoId: string, onProgress: (status: JobStatus) => void, onEnd: () => void = () => {}): () => void {
  const abort = new AbortController();
  void (async () => {
    const response = await fetch(`/v1/videos/${encodeURIComponent(videoId)}/events`, authorised({ signal: abort.signal }));
    if (!response.ok || !response.body) return onEnd();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const { messages, rest } = serverSentEvents(buffered + value);
      buffered = rest;
      for (const { event, data } of messages) if (event === 'progress' && data) onProgress(JSON.parse(data) as JobStatus);
    }
    onEnd();
  })().catch(() => {
    if (!abort.signal.aborted) onEnd();
  });
  return () => abort.abort();
}

/** POST /v1/uploads with XMLHttpRequest, the one browser API that reports upload progress. */
export function uploadVideo(form: FormData, onProgress: (fraction: number) => void): Promise<{ video_id: string; status_url: string }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/v1/uploads');
    request.setRequestHeader('authorization', `Bearer ${storedKey() ?? ''}`);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      const body = JSON.parse(request.responseText || '{}') as { video_id: string; status_url: string; message?: string };
      if (request.status >= 200 && request.status < 300) resolve(body);
      else reject(new ApiError(request.status, body.message ?? `${request.status}`));
    };
    request.onerror = () => reject(new ApiError(0, 'the upload was interrupted'));
    request.send(form);
  });
}

/** A phase's progress line ("Checks: 3/6 batches", "Render: preview done") as a fraction, or undefined when the video skips it. */
export function phaseFraction(line: string | undefined): number | undefined {
  if (!line) return undefined;
  const counts = /(\d+)\/(\d+)/.exec(line);
  if (counts) return Number(counts[2]) === 0 ? 0 : Math.min(1, Number(counts[1]) / Number(counts[2]));
  return /done/.test(line) ? 1 : 0;
}

export function formatEta(seconds: number | undefined): string {
  if (!seconds || seconds <= 0) return '—';
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
