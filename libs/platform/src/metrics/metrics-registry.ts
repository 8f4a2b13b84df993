import {
  Counter,
  Gauge,
  Histogram,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/**
 * The process's one Prometheus registry (ADR 0100). One per process, not one per app module: the
 * standalone process runs every app, and a metric that two of them define (the event bus's, the
 * HTTP middleware's) must exist once, with the same help and labels, not fail on a second
 * registration.
 */
export const metricsRegistry = new Registry();

let defaultMetricsCollected = false;

/** Node's process metrics (CPU, memory, event-loop lag, GC), once per process. */
export function collectProcessMetrics(): void {
  if (defaultMetricsCollected) return;
  defaultMetricsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** The counter of that name, created on first use; every later caller gets the same one. */
export function counterMetric<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return existing(config.name, Counter) ?? new Counter({ ...config, registers: [metricsRegistry] });
}

export function histogramMetric<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  return existing(config.name, Histogram) ?? new Histogram({ ...config, registers: [metricsRegistry] });
}

export function gaugeMetric<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return existing(config.name, Gauge) ?? new Gauge({ ...config, registers: [metricsRegistry] });
}

function existing<M>(name: string, kind: abstract new (...args: never[]) => M): M | undefined {
  const metric = metricsRegistry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  if (!(metric instanceof kind)) throw new Error(`metric ${name} is already registered as another kind`);
  return metric;
}

/**
 * Latency buckets in seconds for requests served here (HTTP, gRPC, webhooks): fine below 100 ms,
 * where the targets are, and coarse up to 10 s. Eleven buckets keep a series' cost small.
 */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
