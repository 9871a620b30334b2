import { useEffect, useState } from 'preact/hooks';
import { ApiError, followVideo, formatEta, getJson, terminalStates, type JobStatus } from './api.ts';
import { FrameViewer } from './frame-viewer.tsx';
import { useObjectUrl } from './object-url.ts';
import { OperatorActions } from './operator-actions.tsx';
import { PhaseBars, StateBadge } from './progress.tsx';

interface Link {
  uri: string;
  url: string;
}
interface Renders {
  preview: Link;
  contact_sheet: Link;
  thumbnails: (Link & { timestamp_s: number })[];
  frames: number;
  width: number;
  height: number;
  detections: number;
  texts: number;
  rendered_at: string;
}
interface Failure {
  stage: string;
  batch_index: number | null;
  error_code: string;
  message: string;
  occurred_at: string;
}
interface OcrText {
  batch_index: number;
  frame_index: number;
  text: string;
  confidence: number;
}
type Manifest = Record<string, unknown> & { video_id: string; check_version: string };

/** The manifest values shown side by side per check version: the source's facts first, then what the checks measured. */
const manifestFields = [
  'duration_s',
  'fps',
  'width',
  'height',
  'codec',
  'frames_evaluated',
  'dark_fraction',
  'is_video_mostly_dark',
  'letterbox_fraction',
  'content_ratio',
  'is_dpi_scale_issue',
  'video_menu_percent',
  'is_video_mostly_menu',
  'frozen_fraction',
  'longest_frozen_run',
  'blurry_fraction',
  'batches_checked',
  'batches_total',
  'complete',
  'error',
];

/** How often a video whose job ended is read again. */
const endedPollMs = 5000;

/** Recognitions read for the page: a game's score bug repeats on every frame, so they are shown grouped by text. */
const ocrRows = 300;

function textsByValue(texts: OcrText[]) {
  const byText = new Map<string, { text: string; seen: number; firstFrame: number; bestConfidence: number }>();
  for (const t of texts) {
    const entry = byText.get(t.text) ?? { text: t.text, seen: 0, firstFrame: t.frame_index, bestConfidence: 0 };
    entry.seen += 1;
    entry.firstFrame = Math.min(entry.firstFrame, t.frame_index);
    entry.bestConfidence = Math.max(entry.bestConfidence, t.confidence);
    byText.set(t.text, entry);
  }
  return [...byText.values()].sort((a, b) => b.seen - a.seen || a.firstFrame - b.firstFrame);
}

const shown = (value: unknown) => (typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : value === undefined ? '' : String(value));

function Thumbnail({ link, alt }: { link: Link; alt: string }) {
  const src = useObjectUrl(link.url);
  return src ? <img src={src} alt={alt} loading="lazy" /> : <div class="placeholder" aria-hidden="true" />;
}

function RenderSection({ renders }: { renders: Renders }) {
  const preview = useObjectUrl(renders.preview.url);
  return (
    <section aria-labelledby="renders-title">
      <h2 id="renders-title">Preview and thumbnails</h2>
      <p class="hint">
        {renders.frames} frames at {renders.width}×{renders.height}, {renders.detections} detections, {renders.texts} texts; rendered {renders.rendered_at}
      </p>
      {preview ? <video class="preview" src={preview} controls muted playsInline aria-label="Annotated preview" /> : <p>Loading the preview…</p>}
      <ul class="thumbnails">
        {renders.thumbnails.map((t) => (
          <li key={t.url}>
            <Thumbnail link={t} alt={`Frame at ${t.timestamp_s.toFixed(1)} s`} />
            <span>{t.timestamp_s.toFixed(1)} s</span>
          </li>
        ))}
      </ul>
      <details>
        <summary>Contact sheet</summary>
        <Thumbnail link={renders.contact_sheet} alt="Contact sheet of the video" />
      </details>
    </section>
  );
}

function ManifestTable({ manifests }: { manifests: Manifest[] }) {
  if (manifests.length === 0) return <p>No manifest yet (the video runs without CHECKS, or none is checked).</p>;
  return (
    <table class="manifest">
      <thead>
        <tr>
          <th scope="col">Value</th>
          {manifests.map((m) => (
            <th scope="col" key={m.check_version}>
              {m.check_version}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {manifestFields.map((field) => (
          <tr key={field}>
            <th scope="row">{field}</th>
            {manifests.map((m) => (
              <td key={m.check_version}>{shown(m[field])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One video: its status live over SSE, renders, manifests per check version, OCR texts, failures, and the operator's actions. */
export function VideoPage({ videoId, operator }: { videoId: string; operator: boolean }) {
  const [status, setStatus] = useState<JobStatus | undefined>();
  const [missing, setMissing] = useState('');
  const [renders, setRenders] = useState<Renders | null | undefined>();
  const [manifests, setManifests] = useState<Manifest[]>([]);
  const [texts, setTexts] = useState<OcrText[]>([]);
  const [failures, setFailures] = useState<Failure[]>([]);
  const [generation, setGeneration] = useState(0);
  const id = encodeURIComponent(videoId);

  useEffect(() => {
    getJson<JobStatus>(`/v1/videos/${id}`).then(setStatus, (e: ApiError) => setMissing(e.status === 404 ? `There is no video ${videoId}.` : e.message));
    // Once the stream ends (the job ended), the status is read now and then: a retry or a new upload starts a new run.
    let timer: ReturnType<typeof setInterval> | undefined;
    const stop = followVideo(videoId, setStatus, () => {
      timer = setInterval(
        () =>
          getJson<JobStatus>(`/v1/videos/${id}`).then(
            (next) => {
              setStatus(next);
              if (!terminalStates.has(next.state)) setGeneration((g) => g + 1);
            },
            () => {},
          ),
        endedPollMs,
      );
    });
    return () => {
      stop();
      clearInterval(timer);
    };
  }, [videoId, generation]);

  // Results are read again whenever the job moves on to a new stage of completeness.
  const versions = Object.entries(status?.batches_checked_by_version ?? {})
    .map(([version, batches]) => `${version}:${batches}`)
    .join(',');
  const settled = status ? terminalStates.has(status.state) : false;
  const rendered = /done/.test(status?.render_progress ?? '');
  const rendersExpected = Boolean(status?.render_progress);
  useEffect(() => {
    if (!status) return;
    // RENDER stitches the whole video after its last batch, possibly after the job's stream ended: look again until it is there.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = () =>
      getJson<Renders>(`/v1/videos/${id}/renders`).then(setRenders, () => {
        setRenders(null);
        if (rendersExpected) timer = setTimeout(look, 3000);
      });
    void look();
    return () => clearTimeout(timer);
  }, [videoId, rendered, rendersExpected, status === undefined]);
  useEffect(() => {
    if (!status) return;
    const names = versions ? versions.split(',').map((v) => v.split(':')[0]!) : [];
    Promise.all(
      names.map((version) =>
        getJson<Manifest[]>(`/v1/manifests?format=json&check_version=${encodeURIComponent(version)}&prefix=${id}`).then((rows) =>
          rows.filter((row) => row.video_id === videoId),
        ),
      ),
    ).then(
      (all) => setManifests(all.flat()),
      () => {},
    );
    getJson<{ items: OcrText[] }>(`/v1/videos/${id}/ocr?limit=${ocrRows}`).then(
      (page) => setTexts(page.items),
      () => {},
    );
    getJson<{ failures: Failure[] }>(`/v1/failures?video_id=${id}`).then(
      (page) => setFailures(page.failures),
      () => {},
    );
  }, [videoId, versions, settled, status === undefined]);

  if (missing)
    return (
      <p role="alert" class="error">
        {missing} <a href="#/">Back to the videos</a>
      </p>
    );
  if (!status) return <p>Loading {videoId}…</p>;
  return (
    <article aria-labelledby="video-title">
      <p>
        <a href="#/">← Videos</a>
      </p>
      <h1 id="video-title">{videoId}</h1>
      <section class="card status" aria-label="Status">
        <p>
          <StateBadge state={status.state} /> {Math.round(status.progress_percent ?? 0)} % · ETA{' '}
          {terminalStates.has(status.state) ? '—' : formatEta(status.eta_seconds)}
        </p>
        <PhaseBars status={status} />
        <dl class="meta">
          <dt>Run</dt>
          <dd>{status.run_id}</dd>
          <dt>Batches</dt>
          <dd>{status.batches_total}</dd>
          <dt>Started</dt>
          <dd>{status.started_at}</dd>
          <dt>Updated</dt>
          <dd>{status.updated_at}</dd>
          <dt>Failures</dt>
          <dd>{status.failures ?? 0}</dd>
          {status.last_error && (
            <>
              <dt>Last error</dt>
              <dd>{status.last_error}</dd>
            </>
          )}
        </dl>
      </section>
      {operator && <OperatorActions videoId={videoId} status={status} onRetried={() => setGeneration((g) => g + 1)} />}
      {renders ? (
        <RenderSection renders={renders} />
      ) : (
        renders === null && rendersExpected && <p class="hint">The preview and thumbnails come once RENDER is done.</p>
      )}
      <section aria-labelledby="frames-title">
        <h2 id="frames-title">Frames</h2>
        {/* Read again once the job ends: frames, detections and tracks keep arriving while it runs. */}
        <FrameViewer key={`${videoId}-${status.run_id}-${settled}`} videoId={videoId} />
      </section>
      <section aria-labelledby="manifest-title">
        <h2 id="manifest-title">Manifest per check version</h2>
        <ManifestTable manifests={manifests} />
      </section>
      <section aria-labelledby="ocr-title">
        <h2 id="ocr-title">Recognised texts</h2>
        {texts.length === 0 ? (
          <p>None.</p>
        ) : (
          <>
            <p class="hint">The first {texts.length} recognitions, one line per text.</p>
            <table class="texts">
              <thead>
                <tr>
                  <th scope="col">Text</th>
                  <th scope="col">Seen</th>
                  <th scope="col">First frame</th>
                  <th scope="col">Best confidence</th>
                </tr>
              </thead>
              <tbody>
                {textsByValue(texts).map((t) => (
                  <tr key={t.text}>
                    <td>{t.text}</td>
                    <td>{t.seen}</td>
                    <td>{t.firstFrame}</td>
                    <td>{shown(t.bestConfidence)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <section aria-labelledby="failures-title">
        <h2 id="failures-title">Failures</h2>
        {failures.length === 0 ? (
          <p>None that count.</p>
        ) : (
          <table class="failures">
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Batch</th>
                <th scope="col">Code</th>
                <th scope="col">Cause</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((f) => (
                <tr key={`${f.stage}-${f.batch_index}-${f.occurred_at}`}>
                  <td>{f.stage}</td>
                  <td>{f.batch_index ?? '—'}</td>
                  <td>{f.error_code}</td>
                  <td>{f.message}</td>
                  <td>{f.occurred_at}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  );
}
