import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export type KafkaBrokerModule = typeof import('../deploy/local/kafka/kafka-broker.mjs');
export type KafkaPerfModule = typeof import('../deploy/local/kafka/kafka-perf.mjs');

/** deploy/ holds plain JS that tsc does not copy to dist/: load it from the project root. */
export async function loadDeployModule<T>(relative: string): Promise<T> {
  return (await import(pathToFileURL(resolve(relative)).href)) as T;
}

/** A running broker: the one in KAFKA_BROKERS, or a fresh one the benchmark starts and stops. */
export async function useBroker(): Promise<{ brokers: string; stop: () => Promise<void> }> {
  // A benchmark is a script at the edge, like main.ts: it may read its environment.
  const configured = process.env.KAFKA_BROKERS;
  if (configured) return { brokers: configured, stop: () => Promise.resolve() };
  const { startBroker } = await loadDeployModule<KafkaBrokerModule>('deploy/local/kafka/kafka-broker.mjs');
  process.stdout.write('starting a Kafka broker (KAFKA_BROKERS unset)…\n');
  const broker = await startBroker();
  return { brokers: broker.brokers, stop: () => broker.stop() };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ')).join('\n');
}

export const fmt = (n: number, digits = 1) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
