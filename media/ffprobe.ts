import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FilmroomError } from '../common/errors.ts';

const execFileAsync = promisify(execFile);

export interface VideoProbe {
  durationS: number;
  fps: number;
  width: number;
  height: number;
  codec: string;
  /** Frames in the video stream, counted from its packets (demuxing only, no decoding). */
  frameCount: number;
  formatName: string;
  /** Pixel format, e.g. 'yuv420p'; empty when ffprobe does not say. */
  pixFmt: string;
  /** Bits per second of the stream, else of the container; undefined when neither says. */
  bitRate: number | undefined;
}

const parseRate = (rate: string | undefined): number => {
  if (!rate) return 0;
  const [num, den] = rate.split('/').map(Number);
  return den ? num! / den : Number(num);
};

/** Parses ffprobe's JSON into a VideoProbe; pure, so the unusual cases are unit-tested. */
export function parseProbe(json: string, what: string): VideoProbe {
  const probe = JSON.parse(json) as {
    streams?: {
      codec_name?: string;
      width?: number;
      height?: number;
      avg_frame_rate?: string;
      r_frame_rate?: string;
      nb_read_packets?: string;
      duration?: string;
      pix_fmt?: string;
      bit_rate?: string;
    }[];
    format?: { duration?: string; format_name?: string; bit_rate?: string };
  };
  const stream = probe.streams?.[0];
  if (!stream) throw new FilmroomError('INVALID_SOURCE', `${what} has no video stream`);
  const fps = parseRate(stream.avg_frame_rate) || parseRate(stream.r_frame_rate);
  const durationS = Number(stream.duration ?? probe.format?.duration ?? 0);
  const frameCount = Number(stream.nb_read_packets ?? 0);
  // WebM and Matroska streams carry no bit rate of their own ('N/A' or absent): the container's stands in.
  const bitRate = [stream.bit_rate, probe.format?.bit_rate].map(Number).find((rate) => Number.isInteger(rate) && rate > 0);
  if (!(fps > 0) || !(frameCount > 0) || !stream.width || !stream.height) {
    throw new FilmroomError(
      'INVALID_SOURCE',
      `${what} has a video stream without usable frames (fps ${fps}, ${frameCount} frames, ${stream.width}x${stream.height})`,
    );
  }
  return {
    durationS,
    fps,
    width: stream.width,
    height: stream.height,
    codec: stream.codec_name ?? 'unknown',
    frameCount,
    formatName: probe.format?.format_name ?? 'unknown',
    pixFmt: stream.pix_fmt ?? '',
    bitRate,
  };
}

/** Runs ffprobe on a local file. Files ffprobe cannot read are a permanent INVALID_SOURCE. */
export async function probeVideo(path: string, what = path): Promise<VideoProbe> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      'ffprobe',
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-count_packets',
        '-show_entries',
        'stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_read_packets,duration,pix_fmt,bit_rate:format=duration,format_name,bit_rate',
        '-of',
        'json',
        path,
      ],
      { maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 },
    ));
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    if ((error as { code?: string }).code === 'ENOENT')
      throw new FilmroomError('PREREQUISITE_MISSING', 'ffprobe not found: run `filmroom stack up` or install ffmpeg');
    throw new FilmroomError('INVALID_SOURCE', `${what} is not a readable video: ${stderr.split('\n').pop() || 'ffprobe failed'}`, { cause: error });
  }
  return parseProbe(stdout, what);
}

/** Whether a local file has an audio stream; false for files ffprobe cannot read (a TAR bundle, say). */
export async function hasAudioStream(path: string): Promise<boolean> {
  try {
    const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=index', '-of', 'csv=p=0', path], {
      timeout: 60_000,
    });
    return stdout.trim().length > 0;
  } catch {
    return false;
  }
}
