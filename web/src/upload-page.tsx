import { useState } from 'preact/hooks';
import { uploadVideo } from './api.ts';

const stages = ['EXTRACT', 'DETECT', 'OCR', 'CHECKS', 'RENDER'] as const;

/** Upload a video (POST /v1/uploads) with its stages and sampling, by choosing or dropping a file; a bar shows the bytes sent. */
export function UploadPage({ canRead }: { canRead: boolean }) {
  const [file, setFile] = useState<File | undefined>();
  const [videoId, setVideoId] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set(stages));
  const [sampleFps, setSampleFps] = useState('1');
  const [batchSize, setBatchSize] = useState('');
  const [sent, setSent] = useState<number | undefined>();
  const [result, setResult] = useState<{ video_id: string } | undefined>();
  const [error, setError] = useState('');
  const [dragging, setDragging] = useState(false);

  const toggle = (stage: string) =>
    setChosen((now) => {
      const next = new Set(now);
      if (next.has(stage)) next.delete(stage);
      else next.add(stage);
      return next;
    });
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    const form = new FormData();
    // Fields before the file: the API checks them before it stores a byte.
    if (videoId.trim()) form.append('video_id', videoId.trim());
    form.append('stages', stages.filter((s) => chosen.has(s)).join(','));
    if (sampleFps.trim()) form.append('sample_fps', sampleFps.trim());
    if (batchSize.trim()) form.append('batch_size', batchSize.trim());
    form.append('file', file);
    setError('');
    setResult(undefined);
    setSent(0);
    try {
      setResult(await uploadVideo(form, setSent));
      setSent(1);
    } catch (e) {
      setError((e as Error).message);
      setSent(undefined);
    }
  };
  const percent = sent === undefined ? undefined : Math.round(sent * 100);
  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">Upload a video</h1>
      <form onSubmit={submit} class="card upload">
        <label
          class={dragging ? 'drop dragging' : 'drop'}
          onDragOver={(e) => (e.preventDefault(), setDragging(true))}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            const dropped = e.dataTransfer?.files[0];
            if (dropped) setFile(dropped);
          }}
        >
          <span>{file ? `${file.name} (${(file.size / 1e6).toFixed(1)} MB)` : 'Drop a video or TAR bundle here, or choose one'}</span>
          <input type="file" name="file" accept="video/*,.tar" onChange={(e) => setFile(e.currentTarget.files?.[0])} />
        </label>
        <label>
          Video id (optional)
          <input value={videoId} pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,127}" onInput={(e) => setVideoId(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>Stages</legend>
          {stages.map((stage) => (
            <label class="inline" key={stage}>
              <input type="checkbox" checked={chosen.has(stage)} disabled={stage === 'EXTRACT'} onChange={() => toggle(stage)} /> {stage}
            </label>
          ))}
        </fieldset>
        <label>
          Frames per second to sample
          <input inputMode="decimal" value={sampleFps} onInput={(e) => setSampleFps(e.currentTarget.value)} />
        </label>
        <label>
          Frames per batch (optional)
          <input inputMode="numeric" value={batchSize} onInput={(e) => setBatchSize(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={!file || (sent !== undefined && sent < 1 && !result)}>
          Upload
        </button>
        {percent !== undefined && (
          <div class="bar" role="progressbar" aria-label="Upload" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <div class="bar-fill" style={{ width: `${percent}%` }} />
          </div>
        )}
        {error && (
          <p role="alert" class="error">
            Upload refused: {error}
          </p>
        )}
        {result && (
          <p role="status">
            Uploaded as <strong data-video-id={result.video_id}>{result.video_id}</strong>
            {canRead ? (
              <>
                {' '}
                — <a href={`#/videos/${encodeURIComponent(result.video_id)}`}>follow it</a>
              </>
            ) : (
              '; a reader key follows its progress.'
            )}
          </p>
        )}
      </form>
    </section>
  );
}
