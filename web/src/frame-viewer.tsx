import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, objectUrlOf, storedKey } from './api.ts';
import { detectionBox, trackBoxesByFrame, type Detection, type FrameBox } from './frame-boxes.ts';

interface SampledFrame {
  batch_index: number;
  frame_index: number;
  timestamp_s: number;
  width: number;
  height: number;
  url: string;
}

/** Frames listed at most: the slider picks among them (a long video sampled densely has more; the list says so). */
const framesListed = 10_000;
/** Detections of one batch read at once (GET …/detections?batch=, its page limit). */
const detectionsPerBatch = 1000;

/** The tracks of a video as boxes per frame, or an empty map when it has none (the perception stages did not run). */
async function trackBoxes(id: string): Promise<Map<number, FrameBox[]>> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await getJson<{ items: { track_id: string }[]; total: number }>(`/v1/videos/${id}/tracks?limit=1000&offset=${offset}`);
    ids.push(...page.items.map((t) => t.track_id));
    if (ids.length >= page.total || page.items.length === 0) break;
  }
  if (ids.length === 0) return new Map();
  const response = await fetch(`/v1/videos/${id}/exports/mot`, { headers: { authorization: `Bearer ${storedKey() ?? ''}` } });
  return response.ok ? trackBoxesByFrame(await response.text(), ids) : new Map();
}

/** Boxes with their labels; `em` is the labels' size in the frame's pixels. */
function Boxes({ boxes, kind, em }: { boxes: FrameBox[]; kind: 'detection' | 'track'; em: number }) {
  return (
    <>
      {boxes.map((b, i) => (
        <g key={`${kind}-${i}`} class={kind} data-label={b.label}>
          <rect x={b.x} y={b.y} width={b.width} height={b.height} />
          <text x={b.x + em / 4} y={kind === 'track' ? b.y + b.height - em / 3 : Math.max(b.y - em / 3, em)}>
            {b.label}
          </text>
        </g>
      ))}
    </>
  );
}

/**
 * A video's sampled frames one at a time, as stored (GET /v1/videos/:id/frames and each frame's
 * image), with its detections and, when the video has tracks, each track's box and id drawn over
 * it (SVG in the frame's own pixels). A slider, Previous/Next and the arrow keys pick the frame.
 */
export function FrameViewer({ videoId }: { videoId: string }) {
  const id = encodeURIComponent(videoId);
  const [frames, setFrames] = useState<{ items: SampledFrame[]; total: number } | undefined>();
  const [at, setAt] = useState(0);
  const [image, setImage] = useState<{ frame: number; url: string } | undefined>();
  const [detections, setDetections] = useState<Map<number, Detection[]>>(new Map());
  const [tracks, setTracks] = useState<Map<number, FrameBox[]>>(new Map());
  const batchesRead = useRef(new Set<number>());
  // The detection model version the first batch read answered with: later batches ask for it, so a
  // replay finishing while the viewer is open never mixes two versions' boxes.
  const model = useRef<string | null>(null);

  useEffect(() => {
    getJson<{ items: SampledFrame[]; total: number }>(`/v1/videos/${id}/frames?limit=${framesListed}`).then(setFrames, () =>
      setFrames({ items: [], total: 0 }),
    );
    trackBoxes(id).then(setTracks, () => {});
  }, [videoId]);

  const frame = frames?.items[at];
  useEffect(() => {
    if (!frame) return;
    let made: string | undefined;
    let stopped = false;
    objectUrlOf(frame.url).then(
      (url) => (stopped ? URL.revokeObjectURL(url) : ((made = url), setImage({ frame: frame.frame_index, url }))),
      () => {},
    );
    // A batch's detections are read once, when one of its frames is first shown.
    if (!batchesRead.current.has(frame.batch_index)) {
      batchesRead.current.add(frame.batch_index);
      const pinned = model.current ? `&model=${encodeURIComponent(model.current)}` : '';
      getJson<{ items: Detection[]; model?: string | null }>(
        `/v1/videos/${id}/detections?batch=${frame.batch_index}&limit=${detectionsPerBatch}${pinned}`,
      ).then(
        (page) => {
          model.current ??= page.model ?? null;
          setDetections((known) => {
            const next = new Map(known);
            for (const d of page.items) next.set(Number(d.frame_index), [...(next.get(Number(d.frame_index)) ?? []), d]);
            return next;
          });
        },
        () => batchesRead.current.delete(frame.batch_index),
      );
    }
    return () => {
      stopped = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [frame?.url]);

  if (!frames) return <p>Loading the frames…</p>;
  if (frames.items.length === 0) return <p>No stored frames (the video is not extracted yet).</p>;
  const last = frames.items.length - 1;
  const go = (next: number) => setAt(Math.max(0, Math.min(last, next)));
  const shown = frame!;
  const drawn = (detections.get(shown.frame_index) ?? []).map((d) => detectionBox(d, shown.width, shown.height));
  const tracked = tracks.get(shown.frame_index) ?? [];
  const em = shown.width / 48;
  const onKey = (event: KeyboardEvent) => {
    if (event.target instanceof HTMLInputElement) return; // the slider moves itself with the arrow keys
    if (event.key === 'ArrowLeft') go(at - 1);
    else if (event.key === 'ArrowRight') go(at + 1);
    else return;
    event.preventDefault();
  };
  return (
    <div class="frame-viewer" onKeyDown={onKey}>
      <div class="frame-controls">
        <button onClick={() => go(at - 1)} disabled={at === 0}>
          Previous frame
        </button>
        <label for="frame-slider">Frame</label>
        <input
          id="frame-slider"
          type="range"
          min={0}
          max={last}
          value={at}
          aria-valuetext={`frame ${shown.frame_index} at ${shown.timestamp_s.toFixed(2)} s`}
          onInput={(e) => go(Number(e.currentTarget.value))}
        />
        <button onClick={() => go(at + 1)} disabled={at === last}>
          Next frame
        </button>
        <span aria-live="polite">
          Frame {shown.frame_index} ({at + 1} of {frames.total}
          {frames.total > frames.items.length ? `, the first ${frames.items.length} listed` : ''}) at {shown.timestamp_s.toFixed(2)} s, batch{' '}
          {shown.batch_index}
        </span>
      </div>
      <figure class="frame" data-frame={image?.frame}>
        <div class="picture">
          {image ? (
            <img src={image.url} alt={`Frame ${image.frame} of ${videoId}`} width={shown.width} height={shown.height} />
          ) : (
            <div class="placeholder" aria-hidden="true" />
          )}
          {image?.frame === shown.frame_index && (
            <svg
              class="boxes"
              viewBox={`0 0 ${shown.width} ${shown.height}`}
              preserveAspectRatio="none"
              // Labels one size on screen whatever the frame's resolution: the SVG draws in the frame's pixels.
              font-size={em}
              role="img"
              aria-label={`${drawn.length} detections, ${tracked.length} tracks`}
            >
              <Boxes boxes={drawn} kind="detection" em={em} />
              <Boxes boxes={tracked} kind="track" em={em} />
            </svg>
          )}
        </div>
        <figcaption>
          {drawn.length} detection{drawn.length === 1 ? '' : 's'}
          {drawn.length ? `: ${drawn.map((b) => b.label).join(', ')}` : ''}
          {tracked.length ? `; ${tracked.map((b) => b.label).join(', ')}` : ''}
        </figcaption>
      </figure>
    </div>
  );
}
