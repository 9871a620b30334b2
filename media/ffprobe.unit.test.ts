import { describe, expect, it } from 'vitest';
import { parseProbe } from './ffprobe.ts';

describe('parseProbe', () => {
  it('reads fps from the average rate, frames from counted packets, and the duration', () => {
    const json = JSON.stringify({
      streams: [
        {
          codec_name: 'h264',
          width: 640,
          height: 360,
          avg_frame_rate: '30000/1001',
          r_frame_rate: '30000/1001',
          nb_read_packets: '1798',
          duration: '60.0',
          pix_fmt: 'yuv420p',
          bit_rate: '1500000',
        },
      ],
      format: { duration: '60.05', format_name: 'mov,mp4,m4a,3gp,3g2,mj2', bit_rate: '1600000' },
    });
    expect(parseProbe(json, 'x.mp4')).toEqual({
      durationS: 60,
      fps: 30000 / 1001,
      width: 640,
      height: 360,
      codec: 'h264',
      frameCount: 1798,
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      pixFmt: 'yuv420p',
      bitRate: 1_500_000,
    });
  });

  it("takes the container's bit rate when the stream has none (WebM), and none when neither says", () => {
    const stream = { codec_name: 'vp9', width: 2, height: 2, avg_frame_rate: '25/1', nb_read_packets: '50', bit_rate: 'N/A' };
    expect(parseProbe(JSON.stringify({ streams: [stream], format: { bit_rate: '64000' } }), 'x.webm').bitRate).toBe(64_000);
    expect(parseProbe(JSON.stringify({ streams: [stream] }), 'x.webm')).toMatchObject({ bitRate: undefined, pixFmt: '' });
  });

  it('falls back to the container duration when the stream has none', () => {
    const json = JSON.stringify({
      streams: [{ codec_name: 'vp9', width: 2, height: 2, avg_frame_rate: '25/1', nb_read_packets: '50' }],
      format: { duration: '2.0' },
    });
    expect(parseProbe(json, 'x.webm').durationS).toBe(2);
  });

  it('rejects a file without a video stream, or one without frames, naming the file', () => {
    expect(() => parseProbe(JSON.stringify({ streams: [], format: {} }), 'audio.m4a')).toThrow('audio.m4a has no video stream');
    expect(() => parseProbe(JSON.stringify({ streams: [{ width: 2, height: 2, avg_frame_rate: '0/0', nb_read_packets: '0' }] }), 'x.mp4')).toThrow(
      /without usable frames/,
    );
  });
});
