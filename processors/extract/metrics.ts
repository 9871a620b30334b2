import { Counter } from 'prom-client';
import { metricsRegistry } from '../../streams/metrics.ts';

/** What extraction did: lets operators (and the replay test) see that a replay re-extracts nothing. */
export const extractMetrics = {
  sourceDownloads: new Counter({
    name: 'filmroom_extract_source_downloads_total',
    help: 'Source videos downloaded from object storage',
    registers: [metricsRegistry],
  }),
  framesDecoded: new Counter({ name: 'filmroom_extract_frames_decoded_total', help: 'Sampled frames decoded by ffmpeg', registers: [metricsRegistry] }),
  batchesUploaded: new Counter({ name: 'filmroom_extract_batches_uploaded_total', help: 'Batch artifacts written', registers: [metricsRegistry] }),
  batchesSkipped: new Counter({
    name: 'filmroom_extract_batches_skipped_total',
    help: 'Batches whose artifact already existed (resume)',
    registers: [metricsRegistry],
  }),
};
