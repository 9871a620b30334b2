import { useEffect, useState } from 'preact/hooks';
import { checkVersionsOfApi, followVideo, formatEta, getJson, jobStates, terminalStates, type JobStatus } from './api.ts';
import { PhaseBars, StateBadge } from './progress.tsx';

const pageSize = 50;
/** Live streams the list keeps open at once: a browser allows about six connections per host, and the page needs some. */
const maxLiveStreams = 3;
/** How often the list is read again while some of its videos are still running (the rest of them, beyond the live streams). */
const refreshMs = 5000;

interface Filters {
  state: string;
  prefix: string;
  /** Only videos with batches checked under this check version. */
  checkVersion: string;
  offset: number;
}

/** The filters and page live in the URL's query (`#/?state=failed&prefix=2024&check_version=v2&offset=50`), so a view can be linked. */
function filtersOfHash(): Filters {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  return {
    state: query.get('state') ?? '',
    prefix: query.get('prefix') ?? '',
    checkVersion: query.get('check_version') ?? '',
    offset: Number(query.get('offset') ?? 0) || 0,
  };
}

function hashOf(filters: Filters): string {
  const query = new URLSearchParams();
  if (filters.state) query.set('state', filters.state);
  if (filters.prefix) query.set('prefix', filters.prefix);
  if (filters.checkVersion) query.set('check_version', filters.checkVersion);
  if (filters.offset) query.set('offset', String(filters.offset));
  const text = query.toString();
  return text ? `#/?${text}` : '#/';
}

/** Videos with their state, per-phase bars and ETA: one page from `GET /v1/videos`, running ones followed over SSE. */
export function VideosPage() {
  const [filters, setFilters] = useState(filtersOfHash);
  const [prefixInput, setPrefixInput] = useState(filters.prefix);
  const [videos, setVideos] = useState<JobStatus[] | undefined>();
  const [error, setError] = useState('');
  const [versions, setVersions] = useState<string[]>([]);
  // When the first page showed: since the list was asked for, and since the navigation began (read by the browser test).
  const [timing, setTiming] = useState<{ listMs: number; pageMs: number } | undefined>();

  useEffect(() => {
    // After the first page: the list is what the page is for, and its timing is measured (dashboard-scale test, bench).
    if (videos)
      checkVersionsOfApi().then(
        (names) => setVersions((known) => (known.length ? known : names)),
        () => {},
      );
  }, [videos === undefined]);

  useEffect(() => {
    const changed = () => setFilters(filtersOfHash());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);

  useEffect(() => {
    let stopped = false;
    const began = performance.now();
    const query = new URLSearchParams({ limit: String(pageSize), offset: String(filters.offset) });
    if (filters.state) query.set('state', filters.state);
    if (filters.prefix) query.set('prefix', filters.prefix);
    if (filters.checkVersion) query.set('check_version', filters.checkVersion);
    const load = () =>
      getJson<{ videos: JobStatus[] }>(`/v1/videos?${query}`).then(
        (page) => !stopped && (setVideos(page.videos), setError('')),
        (e: Error) => !stopped && setError(e.message),
      );
    void load().then(() =>
      requestAnimationFrame(() => setTiming((t) => t ?? { listMs: Math.round(performance.now() - began), pageMs: Math.round(performance.now()) })),
    );
    const timer = setInterval(load, refreshMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [filters]);

  // The first few running videos on the page move live; the periodic read covers the others.
  const running = (videos ?? []).filter((v) => !terminalStates.has(v.state)).slice(0, maxLiveStreams);
  const runningIds = running.map((v) => v.video_id).join('\n');
  useEffect(() => {
    if (!runningIds) return;
    const stops = runningIds
      .split('\n')
      .map((id) => followVideo(id, (status) => setVideos((list) => list?.map((v) => (v.video_id === status.video_id ? { ...v, ...status } : v)))));
    return () => stops.forEach((stop) => stop());
  }, [runningIds]);

  const go = (next: Partial<Filters>) => {
    location.hash = hashOf({ ...filters, ...next });
  };
  return (
    <section aria-labelledby="videos-title">
      <h1 id="videos-title">Videos</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          go({ prefix: prefixInput.trim(), offset: 0 });
        }}
      >
        <div class="field">
          <label for="state-filter">State</label>
          <select id="state-filter" value={filters.state} onChange={(e) => go({ state: e.currentTarget.value, offset: 0 })}>
            <option value="">any</option>
            {jobStates.map((state) => (
              <option value={state}>{state.replace('_', ' ')}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="version-filter">Checked under</label>
          <select id="version-filter" value={filters.checkVersion} onChange={(e) => go({ checkVersion: e.currentTarget.value, offset: 0 })}>
            <option value="">any check version</option>
            {(versions.includes(filters.checkVersion) || !filters.checkVersion ? versions : [...versions, filters.checkVersion]).map((version) => (
              <option value={version}>{version}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="prefix-filter">Id prefix</label>
          <input id="prefix-filter" type="search" value={prefixInput} onInput={(e) => setPrefixInput(e.currentTarget.value)} />
        </div>
        <button type="submit">Filter</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {!videos ? (
        <p>Loading…</p>
      ) : videos.length === 0 ? (
        <p>No videos{filters.state || filters.prefix || filters.checkVersion ? ' match these filters' : ' yet'}.</p>
      ) : (
        <table class="videos" data-list-ms={timing?.listMs} data-page-ms={timing?.pageMs}>
          <thead>
            <tr>
              <th scope="col">Video</th>
              <th scope="col">State</th>
              <th scope="col">Progress</th>
              <th scope="col">ETA</th>
              <th scope="col">Failures</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {videos.map((video) => (
              <tr key={video.video_id} data-video-id={video.video_id}>
                <th scope="row">
                  <a href={`#/videos/${encodeURIComponent(video.video_id)}`}>{video.video_id}</a>
                </th>
                <td>
                  <StateBadge state={video.state} />
                </td>
                <td>
                  <PhaseBars status={video} compact />
                </td>
                <td>{terminalStates.has(video.state) ? '—' : formatEta(video.eta_seconds)}</td>
                <td>{video.failures ?? 0}</td>
                <td>{video.updated_at ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages of videos">
        <button disabled={filters.offset === 0} onClick={() => go({ offset: Math.max(0, filters.offset - pageSize) })}>
          Previous
        </button>
        <span>{videos && videos.length > 0 ? `${filters.offset + 1}–${filters.offset + videos.length}` : ''}</span>
        <button disabled={!videos || videos.length < pageSize} onClick={() => go({ offset: filters.offset + pageSize })}>
          Next
        </button>
      </nav>
    </section>
  );
}
