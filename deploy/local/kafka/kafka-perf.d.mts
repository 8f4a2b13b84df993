// Types for kafka-perf.mjs (plain JS so that it runs without a build), for TypeScript callers.

export interface ProducerPerformanceResult {
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export interface EndToEndLatencyResult {
  avgMs: number;
  /** Whole milliseconds: the tool truncates its percentiles. */
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export function runProducerPerformance(options: {
  brokers: string;
  topic: string;
  numRecords: number;
  recordSize: number;
  throughput?: number;
  producerProps?: Record<string, string | number | boolean>;
  timeoutMs?: number;
}): Promise<ProducerPerformanceResult>;

export function parseProducerPerformance(output: string): ProducerPerformanceResult;

export function runEndToEndLatency(options: {
  brokers: string;
  topic: string;
  numMessages: number;
  recordSize: number;
  timeoutMs?: number;
}): Promise<EndToEndLatencyResult>;

export function parseEndToEndLatency(output: string): EndToEndLatencyResult;
