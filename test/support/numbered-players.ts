import { join } from 'node:path';
import { sampleFont } from '../../samples/index.ts';
import { ffmpeg } from './pipeline-fixture.ts';

/**
 * The numbered-players video: three person cut-outs from the public-domain portraits of
 * test/fixtures/people, each with a jersey number drawn on the torso, moving along known paths over
 * a court-coloured 640×360 picture at 10 fps for 12 s. Two cross (the camera man, drawn later,
 * passes in front of the astronaut, overlapping 60 % of her height); the third leaves on the right
 * at 5.5 s and comes back from the right at 7 s.
 */
export const video = { width: 640, height: 360, fps: 10, seconds: 12 };

const people = join(import.meta.dirname, '..', 'fixtures', 'people');

export interface NumberedPlayer {
  /** MOT ground-truth id. */
  id: number;
  name: string;
  number: string;
  width: number;
  height: number;
  /** The cut-out's top-left corner at time t (s); as an ffmpeg overlay expression too. */
  at(t: number): { x: number; y: number };
  overlayX: string;
  overlayY: string;
  /** The cut-out: the part of which portrait, how transformed. */
  source: { file: string; crop: string; hflip?: boolean };
}

export const players: readonly NumberedPlayer[] = [
  {
    id: 1,
    name: 'astronaut',
    number: '23',
    width: 104,
    height: 150,
    at: (t) => ({ x: 20 + 45 * t, y: 20 }),
    overlayX: '20+45*t',
    overlayY: '20',
    source: { file: 'astronaut.png', crop: '350:502:20:10' },
  },
  {
    id: 2,
    name: 'camera man',
    number: '7',
    width: 100,
    height: 150,
    at: (t) => ({ x: 520 - 45 * t, y: 80 }),
    overlayX: '520-45*t',
    overlayY: '80',
    source: { file: 'camera.png', crop: '260:452:0:60' },
  },
  {
    id: 3,
    name: 'astronaut, mirrored',
    number: '45',
    width: 104,
    height: 150,
    // Off the right edge from 5.5 s (x ≥ 640) until 7 s.
    at: (t) => ({ x: t < 6 ? 40 + 110 * t : 640 - 100 * (t - 7), y: 205 }),
    overlayX: 'if(lt(t,6),40+110*t,640-100*(t-7))',
    overlayY: '205',
    source: { file: 'astronaut.png', crop: '350:502:20:10', hflip: true },
  },
];

/** Writes the video (H.264) to `path` with ffmpeg: the tools of the other generated fixtures. */
export function writeNumberedPlayersVideo(path: string): void {
  const cutouts = players.map((p, i) => {
    const flip = p.source.hflip ? 'hflip,' : '';
    const number = `drawtext=fontfile=${sampleFont}:text='${p.number}':x=(w-tw)/2:y=h*0.6:fontsize=30:fontcolor=black:box=1:boxcolor=white:boxborderw=3`;
    return `[${i + 1}]crop=${p.source.crop},${flip}scale=${p.width}:${p.height},format=rgb24,${number}[p${i}]`;
  });
  const overlays = players.map((p, i) => {
    const from = i === 0 ? '[0]' : `[o${i - 1}]`;
    const to = i === players.length - 1 ? ',format=yuv420p[out]' : `[o${i}]`;
    return `${from}[p${i}]overlay=x='${p.overlayX.replaceAll(',', '\\,')}':y=${p.overlayY}:shortest=1${to}`;
  });
  ffmpeg([
    ...['-f', 'lavfi', '-i', `color=c=0xC48C50:s=${video.width}x${video.height}:r=${video.fps}:d=${video.seconds}`],
    ...players.flatMap((p) => ['-loop', '1', '-i', join(people, p.source.file)]),
    '-filter_complex',
    [...cutouts, ...overlays].join(';'),
    ...['-map', '[out]', '-r', String(video.fps), '-c:v', 'libx264', '-preset', 'ultrafast', path],
  ]);
}

/** A player's box in frame `frame`, in pixels, clipped to the picture; undefined when less than half its width is in view. */
export function truthBox(player: NumberedPlayer, frame: number): { x1: number; y1: number; x2: number; y2: number } | undefined {
  const { x, y } = player.at(frame / video.fps);
  const x1 = Math.max(0, x);
  const x2 = Math.min(video.width, x + player.width);
  if (x2 - x1 < player.width / 2) return undefined;
  return { x1, y1: y, x2, y2: Math.min(video.height, y + player.height) };
}

/** The ground truth as MOT Challenge CSV (frame = source frame + 1), for py-motmetrics. */
export function truthCsv(): string {
  const rows: string[] = [];
  for (let frame = 0; frame < video.fps * video.seconds; frame++) {
    for (const p of players) {
      const b = truthBox(p, frame);
      if (b) rows.push(`${frame + 1},${p.id},${b.x1},${b.y1},${b.x2 - b.x1},${b.y2 - b.y1},1,-1,-1,-1`);
    }
  }
  return `${rows.join('\n')}\n`;
}
