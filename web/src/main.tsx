import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { forgetKey, keyRefusedEvent, roleOf, storedKey, storedRole, storeKey, type Role } from './api.ts';
import { GamesPage } from './games-page.tsx';
import { UploadPage } from './upload-page.tsx';
import { VideoPage } from './video-page.tsx';
import { VideosPage } from './videos-page.tsx';

/** The route lives in the hash (`#/videos/<id>`), so the API serves one index.html for every page. */
function useRoute(): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const changed = () => setRoute(location.hash.slice(1) || '/');
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** The key, asked once per browser session (sessionStorage) and checked against the API before it is kept. */
function KeyForm({ onRole, refused }: { onRole: (role: Role) => void; refused: boolean }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(refused ? 'The API no longer takes the key this session had: enter it again.' : '');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const role = await roleOf(key.trim());
      storeKey(key.trim(), role);
      onRole(role);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="narrow">
      <h1>filmroom</h1>
      <form onSubmit={submit} class="card">
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <p class="hint">
          Kept for this browser session only. An uploader key uploads; a reader key follows the videos; an operator key also retries, replays and deletes.
        </p>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Open the dashboard'}
        </button>
      </form>
    </main>
  );
}

function App() {
  const route = useRoute();
  const [role, setRole] = useState<Role | undefined>(() => (storedKey() ? (storedRole() ?? undefined) : undefined));
  const [refused, setRefused] = useState(false);
  useEffect(() => {
    const refuse = () => (setRole(undefined), setRefused(true));
    addEventListener(keyRefusedEvent, refuse);
    return () => removeEventListener(keyRefusedEvent, refuse);
  }, []);
  if (!role) return <KeyForm onRole={setRole} refused={refused} />;
  const signOut = () => {
    forgetKey();
    setRole(undefined);
  };
  const videoId = /^\/videos\/(.+)$/.exec(route)?.[1];
  const gamesRoute = /^\/games(?:\/([^?]+))?$/.exec(route);
  const canRead = role !== 'uploader';
  // Uploads take an uploader key; an operator reads and acts, but does not upload (api/plugins/auth.ts).
  const canUpload = role === 'uploader';
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          filmroom
        </a>
        <nav aria-label="Pages">
          {canRead && <a href="#/">Videos</a>}
          {canRead && <a href="#/games">Games</a>}
          {canUpload && <a href="#/upload">Upload</a>}
        </nav>
        <span class="who">
          {role} key <button onClick={signOut}>Forget key</button>
        </span>
      </header>
      <main>
        {route === '/upload' || !canRead ? (
          canUpload ? (
            <UploadPage canRead={canRead} />
          ) : (
            <p>This key may not upload.</p>
          )
        ) : gamesRoute ? (
          <GamesPage gameId={gamesRoute[1] === undefined ? undefined : decodeURIComponent(gamesRoute[1])} />
        ) : videoId ? (
          <VideoPage videoId={decodeURIComponent(videoId)} operator={role === 'operator'} />
        ) : (
          <VideosPage />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
