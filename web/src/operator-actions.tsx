import { useEffect, useState } from 'preact/hooks';
import { checkVersionsOfApi, getJson, sendJson, type JobStatus } from './api.ts';

interface ReplayStatus {
  replay_id: string;
  check_version: string;
  state: string;
  batches_done: number;
  batches_total: number;
  progress_percent: number;
  error: string | null;
}

/** A replay's progress, read every two seconds until it completes or fails. */
function ReplayProgress({ replayId }: { replayId: string }) {
  const [replay, setReplay] = useState<ReplayStatus | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () =>
      getJson<ReplayStatus>(`/v1/replays/${replayId}`).then(
        (r) => {
          setReplay(r);
          if (r.state !== 'completed' && r.state !== 'failed') timer = setTimeout(read, 2000);
        },
        (e: Error) => setError(e.message),
      );
    void read();
    return () => clearTimeout(timer);
  }, [replayId]);
  if (error) return <p class="error">{error}</p>;
  if (!replay) return <p>Replay {replayId} requested…</p>;
  const percent = Math.round(replay.progress_percent);
  return (
    <div class="replay" data-replay-state={replay.state}>
      <p>
        Replay {replay.replay_id} ({replay.check_version}): {replay.state}, {replay.batches_done}/{replay.batches_total} batches
        {replay.error ? ` — ${replay.error}` : ''}
      </p>
      <div class="bar" role="progressbar" aria-label={`Replay ${replay.check_version}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div class="bar-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

/** Retry, replay and delete: shown only to an operator key, each through the API's existing route. */
export function OperatorActions({ videoId, status, onRetried }: { videoId: string; status: JobStatus; onRetried: () => void }) {
  const [message, setMessage] = useState('');
  const [versions, setVersions] = useState<string[]>([]);
  const [version, setVersion] = useState('');
  const [replayId, setReplayId] = useState<string | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const id = encodeURIComponent(videoId);
  useEffect(() => {
    checkVersionsOfApi().then(
      (list) => {
        setVersions(list);
        setVersion(list.at(-1) ?? '');
      },
      () => {},
    );
  }, []);
  const act = async (what: () => Promise<string>) => {
    setMessage('');
    try {
      setMessage(await what());
    } catch (e) {
      setMessage(`Refused: ${(e as Error).message}`);
    }
  };
  const retry = () =>
    act(async () => {
      const answer = await sendJson<{ mode: string; redriven: number }>('POST', `/v1/videos/${id}/retry`, {});
      onRetried();
      return answer.mode === 'nothing'
        ? 'Nothing to retry: no failure counts.'
        : answer.mode === 'video'
          ? 'Retried as a new run of the whole video.'
          : `Retried ${answer.redriven} batch(es).`;
    });
  const replay = () =>
    act(async () => {
      const answer = await sendJson<{ replay_id: string }>('POST', '/v1/replays', { check_version: version, prefix: videoId });
      setReplayId(answer.replay_id);
      return `Replay ${answer.replay_id} requested.`;
    });
  const remove = () =>
    act(async () => {
      setConfirmDelete(false);
      await sendJson('DELETE', `/v1/videos/${id}`, { reason: 'dashboard' });
      return 'Deletion accepted: the video, its objects and rows are being removed.';
    });
  return (
    <section class="card actions" aria-labelledby="actions-title">
      <h2 id="actions-title">Operator actions</h2>
      <div class="action-row">
        <button onClick={retry} disabled={(status.failures ?? 0) === 0}>
          Retry failed work
        </button>
        <div class="field">
          <label for="replay-version">Check version</label>
          <select id="replay-version" value={version} onChange={(e) => setVersion(e.currentTarget.value)}>
            {versions.map((v) => (
              <option value={v}>{v}</option>
            ))}
          </select>
        </div>
        <button onClick={replay} disabled={!version}>
          Start a replay
        </button>
        {confirmDelete ? (
          <>
            <button class="danger" onClick={remove}>
              Yes, delete {videoId}
            </button>
            <button onClick={() => setConfirmDelete(false)}>Keep it</button>
          </>
        ) : (
          <button class="danger" onClick={() => setConfirmDelete(true)}>
            Delete video
          </button>
        )}
      </div>
      {message && <p role="status">{message}</p>}
      {replayId && <ReplayProgress replayId={replayId} />}
    </section>
  );
}
