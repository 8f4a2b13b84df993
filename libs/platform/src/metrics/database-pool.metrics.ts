import { gaugeMetric } from './metrics-registry.js';

/** What a node-postgres pool tells about itself. */
export interface ObservablePool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  /** Set by pg once `end()` was called: the pool is dropped from the metrics then. */
  readonly ending?: boolean;
}

const pools = new Map<string, ObservablePool>();

function ensureGauges(): void {
  // Read at scrape time from the pools themselves: no bookkeeping on the query path.
  gaugeMetric({
    name: 'switchboard_db_pool_connections',
    help: 'PostgreSQL connections in each pool of the process, by pool and state (idle or in use).',
    labelNames: ['pool', 'state'] as const,
    collect() {
      this.reset();
      for (const [name, pool] of pools) if (pool.ending === true) pools.delete(name);
      for (const [name, pool] of pools) {
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'in_use' }, pool.totalCount - pool.idleCount);
      }
    },
  });
  gaugeMetric({
    name: 'switchboard_db_pool_waiting_clients',
    help: 'Queries waiting for a connection in each pool (the pool is exhausted while above 0).',
    labelNames: ['pool'] as const,
    collect() {
      this.reset();
      for (const [name, pool] of pools) this.set({ pool: name }, pool.waitingCount);
    },
  });
}

/**
 * Reports a pool's use on every scrape under `name` (a service's data source: `history`,
 * `routing`, …, or `event-log`) until it ends, or until the returned function is called.
 */
export function observeDatabasePool(name: string, pool: ObservablePool): () => void {
  ensureGauges();
  pools.set(name, pool);
  return () => {
    if (pools.get(name) === pool) pools.delete(name);
  };
}
