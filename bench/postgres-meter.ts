import pg from 'pg';
import { pidsNamed, processCpuSeconds } from './bench.util.js';

/** What PostgreSQL did between `start()` and `take()`: CPU by process, and what it wrote. */
export interface PostgresUse {
  /** CPU seconds by who the process is (see `postgresMeter`). */
  readonly cpu: Map<string, number>;
  /** The benchmark's database (`pg_stat_database`): transactions committed, rows written. */
  readonly commits: number;
  readonly rowsWritten: number;
  /** The whole server (`pg_stat_wal`): WAL records, bytes, and flushes to disk. */
  readonly walRecords: number;
  readonly walBytes: number;
  readonly walSyncs: number;
}

interface Snapshot {
  readonly processes: Map<number, { label: string; cpu: number }>;
  readonly counters: Omit<PostgresUse, 'cpu'>;
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
    } = await client.query<Omit<PostgresUse, 'cpu'>>(
      `SELECT d.xact_commit::float8 AS "commits",
              (d.tup_inserted + d.tup_updated + d.tup_deleted)::float8 AS "rowsWritten",
              w.wal_records::float8 AS "walRecords", w.wal_bytes::float8 AS "walBytes",
              w.wal_sync::float8 AS "walSyncs"
         FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()`,
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
    return { processes, counters: counters! };
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
      const delta = (key: keyof Omit<PostgresUse, 'cpu'>) => after.counters[key] - before.counters[key];
      const use: PostgresUse = {
        cpu,
        commits: delta('commits'),
        rowsWritten: delta('rowsWritten'),
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
