import type { Detection, OcrText, RenderDone, Thumbnail } from '../../schemas/index.ts';
import { deterministicEventId, runParts } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';
import { videoRunFolder, type VideoRun } from '../../storage/batch-artifact.ts';

export const renderProcessorVersion = '1.0.0';

/** Deterministic keys in the artifacts bucket, per run: re-rendering overwrites, never copies. */
export const renderPrefix = (run: VideoRun) => `${videoRunFolder(run.videoId, run.runId)}render/`;
export const segmentPrefix = (run: VideoRun) => `${renderPrefix(run)}segments/`;
const five = (n: number) => String(n).padStart(5, '0');
export const segmentKey = (run: VideoRun, batchIndex: number) => `${segmentPrefix(run)}segment-${five(batchIndex)}.mp4`;
/** Written after its segment: its existence says the segment is complete. */
export const segmentInfoKey = (run: VideoRun, batchIndex: number) => `${segmentPrefix(run)}segment-${five(batchIndex)}.json`;
export const previewKey = (run: VideoRun) => `${renderPrefix(run)}preview.mp4`;
export const contactSheetKey = (run: VideoRun) => `${renderPrefix(run)}contact-sheet.jpg`;
export const thumbnailKey = (run: VideoRun, n: number) => `${renderPrefix(run)}thumbnail-${String(n).padStart(2, '0')}.jpg`;

/** What a rendered segment holds, stored beside it so the stitcher needs no other source. */
export interface SegmentInfo {
  batch_index: number;
  frames: { frame_index: number; timestamp_s: number }[];
  detections: number;
  texts: number;
  width: number;
  height: number;
}

/** Output size for a source frame: the configured width, the height following the aspect ratio, both even (for H.264). */
export function renderSize(sourceWidth: number, sourceHeight: number, width: number): { width: number; height: number } {
  const w = 2 * Math.round(Math.min(width, sourceWidth) / 2);
  return { width: w, height: Math.max(2, 2 * Math.round((sourceHeight * w) / sourceWidth / 2)) };
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** Colours of the overlay: detection boxes green, OCR regions and their text yellow. */
export const overlayColours = { detection: '#00ff00', text: '#ffff00' } as const;

/**
 * The overlay of one frame as SVG: a box per detection (class and score above it) and per OCR
 * region (its text above it), from normalised coordinates. Pure; sharp composites it on the frame.
 */
export function overlaySvg(size: { width: number; height: number }, detections: Detection[], texts: OcrText[]): string {
  const { width, height } = size;
  const stroke = Math.max(3, Math.round(width / 160));
  const font = Math.max(10, Math.round(height / 24));
  const px = (b: { x1: number; y1: number; x2: number; y2: number }) => ({
    x: Math.round(b.x1 * width),
    y: Math.round(b.y1 * height),
    w: Math.max(1, Math.round((b.x2 - b.x1) * width)),
    h: Math.max(1, Math.round((b.y2 - b.y1) * height)),
  });
  const label = (x: number, y: number, text: string, colour: string) =>
    `<text x="${x}" y="${Math.max(font, y - stroke)}" font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="${colour}" stroke="#000" stroke-width="0.6">${escapeXml(text)}</text>`;
  const shapes: string[] = [];
  for (const d of detections) {
    const r = px(d.box);
    shapes.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="none" stroke="${overlayColours.detection}" stroke-width="${stroke}"/>`);
    shapes.push(label(r.x, r.y, `${d.class_name} ${d.score.toFixed(2)}`, overlayColours.detection));
  }
  for (const t of texts) {
    const r = px(t.box);
    shapes.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="none" stroke="${overlayColours.text}" stroke-width="${stroke}"/>`);
    shapes.push(label(r.x, r.y, t.text, overlayColours.text));
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

export { evenlySpaced, sheetGrid } from '../../media/stills.ts';

export function renderDoneOf(input: {
  run: VideoRun;
  segments: SegmentInfo[];
  previewUri: string;
  previewFps: number;
  contactSheetUri: string;
  thumbnails: Thumbnail[];
  now: number;
}): Output<'render-done'> {
  const { segments } = input;
  const value: RenderDone = {
    event_id: deterministicEventId('render-done', input.run.videoId, ...runParts(input.run.runId), segments.length, input.previewFps),
    occurred_at: input.now,
    producer: { name: 'render', version: renderProcessorVersion },
    video_id: input.run.videoId,
    run_id: input.run.runId,
    preview_uri: input.previewUri,
    preview_fps: input.previewFps,
    contact_sheet_uri: input.contactSheetUri,
    thumbnails: input.thumbnails,
    frames: segments.reduce((sum, s) => sum + s.frames.length, 0),
    batches: segments.length,
    width: segments[0]?.width ?? 0,
    height: segments[0]?.height ?? 0,
    detections: segments.reduce((sum, s) => sum + s.detections, 0),
    texts: segments.reduce((sum, s) => sum + s.texts, 0),
  };
  return { event: 'render-done', key: input.run.videoId, value };
}
