import pg from 'pg';
import { pidsNamed, processCpuSeconds } from './bench.util.js';

/** Rows a table had written between two readings, and how many indexes each new row version fed. */
export interface TableWrites {
  readonly inserted: number;
  readonly updated: number;
  /** Updates that touched no indexed column and stayed on their page: no index entry written. */
  readonly hotUpdated: number;
  readonly deleted: number;
  readonly indexes: number;
}

/** What PostgreSQL did between `start()` and `take()`: CPU by process, and what it wrote. */
export interface PostgresUse {
  /** CPU seconds by who the process is (see `postgresMeter`). */
  readonly cpu: Map<string, number>;
  /** The benchmark's database (`pg_stat_database`): transactions committed, read-only ones too. */
  readonly transactions: number;
  /** The benchmark's database, by table (`pg_stat_user_tables`). */
  readonly tables: Map<string, TableWrites>;
  /** The whole server (`pg_stat_wal`): WAL records, bytes, and flushes to disk. */
  readonly walRecords: number;
  readonly walBytes: number;
  readonly walSyncs: number;
}

type Counters = Pick<PostgresUse, 'transactions' | 'walRecords' | 'walBytes' | 'walSyncs'>;

interface Snapshot {
  readonly processes: Map<number, { label: string; cpu: number }>;
  readonly counters: Counters;
  readonly tables: Map<string, TableWrites>;
}

/** A pool's `application_name`; each process's own session (the bus's liveness, tagged) as one. */
const clientName = (applicationName: string) =>
  applicationName.replace(/:[0-9a-f]{16}$/, ':(each process)') || '(unnamed)';

/**
 * PostgreSQL's share of a run, split by process rather than summed over every `postgres` on the
 * machine: each client backend of the benchmark's own database by its `application_name` (every
 * app names its pools), every other database's clients together (other work on a shared
 * server), and each background process by its type (walwriter, checkpointer, autovacuum worker…).
 * A backend that ends between two readings takes its CPU with it (the apps' pools keep theirs).
 */
export async function postgresMeter(url: string) {
  const client = new pg.Client({ connectionString: url, application_name: 'bench: postgres meter' });
  await client.connect();

  const read = async (): Promise<Snapshot> => {
    const { rows } = await client.query<{
      pid: number;
      backend_type: string;
      application_name: string;
      ours: boolean;
    }>(
      `SELECT pid, backend_type, application_name, datname = current_database() AS ours
         FROM pg_stat_activity`,
    );
    const {
      rows: [counters],
    } = await client.query<Counters>(
      `SELECT d.xact_commit::float8 AS "transactions", w.wal_records::float8 AS "walRecords",
              w.wal_bytes::float8 AS "walBytes", w.wal_sync::float8 AS "walSyncs"
         FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()`,
    );
    const { rows: tables } = await client.query<TableWrites & { name: string }>(
      `SELECT schemaname || '.' || relname AS name, n_tup_ins::float8 AS inserted,
              n_tup_upd::float8 AS updated, n_tup_hot_upd::float8 AS "hotUpdated",
              n_tup_del::float8 AS deleted,
              (SELECT count(*)::float8 FROM pg_index i WHERE i.indrelid = s.relid) AS indexes
         FROM pg_stat_user_tables s`,
    );
    const labels = new Map(
      rows.map((r) => [
        r.pid,
        r.backend_type !== 'client backend'
          ? r.backend_type
          : r.ours
            ? `client: ${clientName(r.application_name)}`
            : "other databases' clients",
      ]),
    );
    const processes = new Map(
      pidsNamed('postgres').map((pid) => [
        pid,
        { label: labels.get(pid) ?? 'postmaster', cpu: processCpuSeconds(pid) },
      ]),
    );
    return { processes, counters: counters!, tables: new Map(tables.map(({ name, ...t }) => [name, t])) };
  };

  let before = await read();
  return {
    start: async () => void (before = await read()),
    take: async (): Promise<PostgresUse> => {
      const after = await read();
      const cpu = new Map<string, number>();
      for (const [pid, { label, cpu: now }] of after.processes) {
        const used = now - (before.processes.get(pid)?.cpu ?? 0);
        cpu.set(label, (cpu.get(label) ?? 0) + Math.max(0, used));
      }
      const tables = new Map<string, TableWrites>();
      for (const [name, t] of after.tables) {
        const was = before.tables.get(name);
        const writes: TableWrites = {
          inserted: t.inserted - (was?.inserted ?? 0),
          updated: t.updated - (was?.updated ?? 0),
          hotUpdated: t.hotUpdated - (was?.hotUpdated ?? 0),
          deleted: t.deleted - (was?.deleted ?? 0),
          indexes: t.indexes,
        };
        if (writes.inserted + writes.updated + writes.deleted > 0) tables.set(name, writes);
      }
      const delta = (key: keyof Counters) => after.counters[key] - before.counters[key];
      const use: PostgresUse = {
        cpu,
        transactions: delta('transactions'),
        tables,
        walRecords: delta('walRecords'),
        walBytes: delta('walBytes'),
        walSyncs: delta('walSyncs'),
      };
      before = after;
      return use;
    },
    close: () => client.end(),
  };
}
