import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { FilmroomError } from '../common/errors.ts';

const execFileAsync = promisify(execFile);

export const sampleFont = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** What each stretch of the sample video shows: the known answers for the checks. */
export type SegmentKind = 'play' | 'dark' | 'letterbox' | 'menu' | 'frozen';

export interface Segment {
  kind: SegmentKind;
  startS: number;
  endS: number;
}

export const sampleTimeline: Segment[] = [
  { kind: 'play', startS: 0, endS: 12 },
  { kind: 'dark', startS: 12, endS: 20 },
  { kind: 'letterbox', startS: 20, endS: 30 },
  { kind: 'menu', startS: 30, endS: 40 },
  { kind: 'frozen', startS: 40, endS: 48 },
  { kind: 'play', startS: 48, endS: 60 },
];

export const sampleSpec = { width: 640, height: 360, fps: 30, durationS: 60 } as const;

/** Scoreboard text burned into the play segments: known strings for OCR. */
export const sampleScoreboard = { home: 'LIONS', away: 'HAWKS', homeScore: '21', awayScore: '14' } as const;

const escapeDrawtext = (text: string) => text.replace(/[:\\\\']/g, (c) => `\\\\${c}`);

function scoreboard(input: string, output: string): string {
  const { home, away, homeScore, awayScore } = sampleScoreboard;
  const text = escapeDrawtext(`${home} ${homeScore}  ${away} ${awayScore}`);
  return `[${input}]drawtext=fontfile=${sampleFont}:text='${text}':x=(w-tw)/2:y=16:fontsize=28:fontcolor=white:box=1:boxcolor=black@0.85:boxborderw=8[${output}]`;
}

/**
 * The ffmpeg filter graph of the sample: each segment from lavfi sources, concatenated. Play is
 * ffmpeg's moving `testsrc2` pattern with a scoreboard; dark is the same scene at a tenth of its
 * luma; letterbox shrinks it into black borders on all sides (content not filling the frame);
 * menu is a flat background with static text lines; frozen repeats one frame.
 */
export function sampleFilterGraph(): string {
  const { width: w, height: h, fps } = sampleSpec;
  const length = (s: Segment) => s.endS - s.startS;
  const parts: string[] = [];
  const labels: string[] = [];
  sampleTimeline.forEach((s, i) => {
    const src = `testsrc2=size=${w}x${h}:rate=${fps}:duration=${length(s)},format=yuv420p`;
    const label = `s${i}`;
    switch (s.kind) {
      case 'play':
        parts.push(`${src}[p${i}]`, scoreboard(`p${i}`, label));
        break;
      case 'dark':
        parts.push(`${src},lutyuv=y=val*0.12:u=128:v=128[${label}]`);
        break;
      case 'letterbox':
        // DPI scaling shrinks the whole game picture, HUD included: the scoreboard is drawn before scaling.
        parts.push(
          `${src}[p${i}]`,
          scoreboard(`p${i}`, `q${i}`),
          `[q${i}]scale=${Math.round(w * 0.75)}:${Math.round(h * 0.75)},pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:black[${label}]`,
        );
        break;
      case 'menu': {
        const lines = ['MAIN MENU', 'PLAY', 'SETTINGS', 'QUIT'];
        const draw = lines
          .map(
            (line, n) =>
              `drawtext=fontfile=${sampleFont}:text='${escapeDrawtext(line)}':x=80:y=${60 + n * 64}:fontsize=${n === 0 ? 40 : 30}:fontcolor=0xE0E0E0`,
          )
          .join(',');
        parts.push(`color=c=0x1E2A44:size=${w}x${h}:rate=${fps}:duration=${length(s)},format=yuv420p,${draw}[${label}]`);
        break;
      }
      case 'frozen':
        parts.push(
          `${src},trim=start_frame=45:end_frame=46,loop=loop=${length(s) * fps - 1}:size=1:start=0,setpts=N/${fps}/TB[p${i}]`,
          scoreboard(`p${i}`, label),
        );
        break;
      default: {
        const unreachable: never = s.kind;
        throw new TypeError(`unknown segment ${String(unreachable)}`);
      }
    }
    labels.push(`[${label}]`);
  });
  parts.push(`${labels.join('')}concat=n=${labels.length}:v=1:a=0,format=yuv420p[out]`);
  return parts.join(';');
}

/** Writes the sample game video (H.264, moov atom first) with ffmpeg. */
export async function generateSampleVideo(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  try {
    await execFileAsync(
      'ffmpeg',
      [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-filter_complex',
        sampleFilterGraph(),
        '-map',
        '[out]',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '23',
        '-g',
        '60',
        '-movflags',
        '+faststart',
        path,
      ],
      { timeout: 5 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new FilmroomError('INSTALL_FAILED', `generating the sample video failed: ${stderr.split('\n').slice(-3).join(' | ')}`, { cause: error });
  }
}
