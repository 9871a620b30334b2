import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process-wide metrics registry that `/metrics` will expose. */
export const metricsRegistry = new Registry();

function createProcessorMetrics(registry: Registry) {
  const labelNames = ['processor'] as const;
  return {
    consumed: new Counter({ name: 'filmroom_processor_consumed_total', help: 'Input records read', labelNames, registers: [registry] }),
    produced: new Counter({
      name: 'filmroom_processor_produced_total',
      help: 'Output events acknowledged by Kafka',
      labelNames: ['processor', 'topic'] as const,
      registers: [registry],
    }),
    failed: new Counter({
      name: 'filmroom_processor_failed_total',
      help: 'Input records sent to the dead-letter topic',
      labelNames: ['processor', 'error_class', 'error_code'] as const,
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'filmroom_processor_skipped_total',
      help: 'Input records skipped because their event did not ask for the stages the processor serves',
      labelNames,
      registers: [registry],
    }),
    retried: new Counter({ name: 'filmroom_processor_retried_total', help: 'Handler retries after transient errors', labelNames, registers: [registry] }),
    handlerSeconds: new Histogram({
      name: 'filmroom_processor_handler_seconds',
      help: 'Handler latency per input record, retries included',
      labelNames,
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60, 300, 1200],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'filmroom_processor_consumer_lag',
      help: 'Records between the last one processed and the partition end, per consumer group, for the partitions this instance owns',
      labelNames: ['processor', 'group', 'topic', 'partition'] as const,
      registers: [registry],
    }),
  };
}

export type ProcessorMetrics = ReturnType<typeof createProcessorMetrics>;

const byRegistry = new WeakMap<Registry, ProcessorMetrics>();

/** One set of processor metrics per registry; every processor in the process shares it by label. */
export function processorMetrics(registry: Registry = metricsRegistry): ProcessorMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = createProcessorMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
