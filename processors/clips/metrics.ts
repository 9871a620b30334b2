import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../streams/metrics.ts';

/** What the clips stage did: lets tests and operators see that each source video is downloaded once. */
export const clipsMetrics = {
  sourceDownloads: new Counter({
    name: 'filmroom_clips_source_downloads_total',
    help: 'Source videos the clips stage downloaded from object storage',
    registers: [metricsRegistry],
  }),
  clips: new Counter({
    name: 'filmroom_clips_total',
    help: 'Clips by outcome: cut, reused (already stored) or failed',
    labelNames: ['status'] as const,
    registers: [metricsRegistry],
  }),
  cutSeconds: new Histogram({
    name: 'filmroom_clips_cut_seconds',
    help: 'ffmpeg time per clip',
    labelNames: ['mode'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [metricsRegistry],
  }),
};
