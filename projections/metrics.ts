import { Counter } from 'prom-client';
import { metricsRegistry } from '../streams/metrics.ts';

/**
 * The projectors' metrics, in the main thread's registry: the writer threads report their counts
 * in their replies (a worker thread has a registry of its own, which `/metrics` never sees).
 */
export const projectionMetrics = {
  rows: new Counter({
    name: 'filmroom_projection_rows_total',
    help: 'Rows inserted into ClickHouse by the projectors',
    labelNames: ['table'] as const,
    registers: [metricsRegistry],
  }),
  poison: new Counter({
    name: 'filmroom_projection_poison_total',
    help: 'Records a projector could not decode, sent to the dead-letter topic instead',
    labelNames: ['projector'] as const,
    registers: [metricsRegistry],
  }),
};
