import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson } from './api.ts';
import { useObjectUrl } from './object-url.ts';

interface Play {
  play_id: string;
  angle: string;
  start_s: number;
  end_s: number;
  play_type: string | null;
  annotation: string;
}
interface Clip {
  clip_id: string;
  play_id: string;
  camera: string;
  video_id: string;
  start_s: number;
  end_s: number;
  mode: string;
  status: string;
  clip_uri: string;
  url?: string;
  bytes: number;
  error_code: string;
  message: string;
}
interface Dataset {
  format: string;
  training_uri: string;
  validation_uri: string;
  training_examples: number;
  validation_examples: number;
  occurred_at: string;
}
interface GameClips {
  game_id: string;
  plays: number;
  play_list: Play[];
  counts: { pending: number; ok: number; failed: number };
  clips: Clip[];
  dataset: Dataset | null;
}

/** How often a game with clips still being cut is read again. */
const pendingPollMs = 3000;

const seconds = (s: number) => `${s.toFixed(1)} s`;
const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((100 * part) / whole)} %`);

/** A cut clip, fetched with the key only once it scrolls into view: a game has dozens. */
function ClipPlayer({ clip }: { clip: Clip }) {
  const [visible, setVisible] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), { rootMargin: '200px' });
    if (box.current) observer.observe(box.current);
    return () => observer.disconnect();
  }, []);
  const src = useObjectUrl(visible ? clip.url : undefined);
  return (
    <div ref={box} class="clip-player">
      {src ? (
        <video class="clip" src={src} controls muted playsInline preload="metadata" aria-label={`Clip ${clip.clip_id}`} />
      ) : (
        <div class="placeholder" aria-hidden="true" />
      )}
    </div>
  );
}

function ClipCard({ clip }: { clip: Clip }) {
  return (
    <li class="card clip-card" data-clip-id={clip.clip_id} data-status={clip.status}>
      <p>
        <strong>{clip.camera}</strong> ·{' '}
        <span class={`badge state-${clip.status === 'OK' ? 'complete' : clip.status === 'FAILED' ? 'failed' : 'queued'}`}>{clip.status}</span>
      </p>
      {clip.url ? (
        <ClipPlayer clip={clip} />
      ) : clip.status === 'FAILED' ? (
        <p class="error">
          {clip.error_code}: {clip.message}
        </p>
      ) : (
        <p class="hint">Being cut…</p>
      )}
      <p class="hint">
        {seconds(clip.start_s)}–{seconds(clip.end_s)} of <a href={`#/videos/${encodeURIComponent(clip.video_id)}`}>{clip.video_id}</a>
        {clip.bytes ? ` · ${(clip.bytes / 1e6).toFixed(1)} MB` : ''} · {clip.mode}
      </p>
    </li>
  );
}

function DatasetSection({ dataset }: { dataset: Dataset | null }) {
  if (!dataset) return <p>No dataset exported yet (`filmroom dataset export --game …`).</p>;
  const total = dataset.training_examples + dataset.validation_examples;
  return (
    <table class="dataset">
      <thead>
        <tr>
          <th scope="col">Split</th>
          <th scope="col">Examples</th>
          <th scope="col">Share</th>
          <th scope="col">File</th>
        </tr>
      </thead>
      <tbody>
        <tr data-split="training">
          <th scope="row">training</th>
          <td>{dataset.training_examples}</td>
          <td>{percent(dataset.training_examples, total)}</td>
          <td>{dataset.training_uri}</td>
        </tr>
        <tr data-split="validation">
          <th scope="row">validation</th>
          <td>{dataset.validation_examples}</td>
          <td>{percent(dataset.validation_examples, total)}</td>
          <td>{dataset.validation_uri}</td>
        </tr>
      </tbody>
      <caption>
        {dataset.format} export of {dataset.occurred_at}
      </caption>
    </table>
  );
}

/** One game: its plays, its clips per play (playable once cut) and its latest dataset export with the split. */
function Game({ gameId }: { gameId: string }) {
  const [game, setGame] = useState<GameClips | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () =>
      getJson<GameClips>(`/v1/games/${encodeURIComponent(gameId)}/clips`).then(
        (answer) => {
          setGame(answer);
          setError('');
          if (answer.counts.pending > 0) timer = setTimeout(read, pendingPollMs);
        },
        (e: ApiError) => setError(e.status === 404 ? `No plays for game ${gameId} yet.` : e.message),
      );
    void read();
    return () => clearTimeout(timer);
  }, [gameId]);
  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  if (!game) return <p>Loading {gameId}…</p>;
  const clipsOf = (playId: string) => game.clips.filter((c) => c.play_id === playId);
  return (
    <article aria-labelledby="game-title">
      <h2 id="game-title">Game {game.game_id}</h2>
      <p>
        {game.plays} play{game.plays === 1 ? '' : 's'}; clips: {game.counts.ok} cut, {game.counts.pending} pending, {game.counts.failed} failed
      </p>
      <section aria-labelledby="dataset-title">
        <h3 id="dataset-title">Dataset export</h3>
        <DatasetSection dataset={game.dataset} />
      </section>
      <section aria-labelledby="plays-title">
        <h3 id="plays-title">Plays and their clips</h3>
        {game.play_list.map((play) => (
          <section class="play" key={play.play_id} data-play-id={play.play_id} aria-label={`Play ${play.play_id}`}>
            <h4>
              {play.play_id} · {play.angle} · {seconds(play.start_s)}–{seconds(play.end_s)}
              {play.play_type ? ` · ${play.play_type}` : ''}
            </h4>
            {play.annotation && <p>{play.annotation}</p>}
            <ul class="clips">
              {clipsOf(play.play_id).map((clip) => (
                <ClipCard key={clip.clip_id} clip={clip} />
              ))}
            </ul>
          </section>
        ))}
      </section>
    </article>
  );
}

/** Games (`#/games/<id>`): a game is named by the id its plays were imported under. */
export function GamesPage({ gameId }: { gameId: string | undefined }) {
  const [input, setInput] = useState(gameId ?? '');
  return (
    <section aria-labelledby="games-title">
      <h1 id="games-title">Games</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          if (input.trim()) location.hash = `#/games/${encodeURIComponent(input.trim())}`;
        }}
      >
        <div class="field">
          <label for="game-id">Game id</label>
          <input id="game-id" type="search" value={input} onInput={(e) => setInput(e.currentTarget.value)} />
        </div>
        <button type="submit">Open</button>
      </form>
      {gameId ? <Game key={gameId} gameId={gameId} /> : <p class="hint">Enter the id a game's plays were imported under (POST /v1/games/:id/plays).</p>}
    </section>
  );
}
