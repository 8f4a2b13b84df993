import pg from 'pg';
import type { AppendRecord, EventLogStore, StoredRecord } from './event-log-store.js';

export interface PostgresEventLogStoreOptions {
  readonly connectionString: string;
  /** The schema the log lives in; it belongs to the bus alone. */
  readonly schema?: string;
  readonly poolSize?: number;
}

/** Schema changes of the log, applied in order once each, recorded in `<schema>.schema_migrations`. */
const migrations: readonly ((schema: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.records (
      "offset" bigserial PRIMARY KEY,
      topic text NOT NULL,
      partition integer NOT NULL,
      key text,
      value bytea,
      headers jsonb,
      appended_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX records_topic_partition_offset ON ${s}.records (topic, partition, "offset");
    CREATE TABLE ${s}.consumer_offsets (
      group_id text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      "offset" bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, topic, partition)
    );`,
];

/**
 * The in-process log on PostgreSQL. Appends are serialized by an advisory lock held for the length
 * of the inserting transaction, so offsets (a bigserial) become visible in increasing order: a
 * reader that has seen offset N will never later find a committed N-1 it skipped.
 */
export class PostgresEventLogStore implements EventLogStore {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly lockKey: number;

  constructor(options: PostgresEventLogStoreOptions) {
    this.schema = options.schema ?? 'bus';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema)) throw new Error(`invalid schema name "${this.schema}"`);
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 5 });
    // Idle clients can lose their server (a restart); without a listener that error would crash the process.
    this.pool.on('error', () => undefined);
    this.lockKey = hashToInt32(`switchboard.bus.${this.schema}`);
  }

  async init(): Promise<void> {
    await this.inLockedTransaction(async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.schema}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number }>(
        `SELECT coalesce(max(version), 0) AS version FROM ${this.schema}.schema_migrations`,
      );
      for (let version = (rows[0]?.version ?? 0) + 1; version <= migrations.length; version++) {
        await client.query(migrations[version - 1]!(this.schema));
        await client.query(`INSERT INTO ${this.schema}.schema_migrations (version) VALUES ($1)`, [version]);
      }
    });
  }

  async append(records: readonly AppendRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.inLockedTransaction(async (client) => {
      // One statement for the whole group: unnest keeps array order, so offsets follow it.
      await client.query(
        `INSERT INTO ${this.schema}.records (topic, partition, key, value, headers)
         SELECT topic, partition, key, value, headers
         FROM unnest($1::text[], $2::int[], $3::text[], $4::bytea[], $5::jsonb[])
           WITH ORDINALITY AS r(topic, partition, key, value, headers, n)
         ORDER BY n`,
        [
          records.map((r) => r.topic),
          records.map((r) => r.partition),
          records.map((r) => r.key),
          records.map((r) => r.value),
          records.map((r) => (r.headers === null ? null : JSON.stringify(r.headers))),
        ],
      );
    });
  }

  async read(
    topic: string,
    partition: number,
    afterOffset: string | null,
    limit: number,
  ): Promise<StoredRecord[]> {
    const { rows } = await this.pool.query<{
      offset: string;
      key: string | null;
      value: Buffer | null;
      headers: Record<string, string> | null;
    }>(
      `SELECT "offset", key, value, headers FROM ${this.schema}.records
       WHERE topic = $1 AND partition = $2 AND "offset" > $3 ORDER BY "offset" LIMIT $4`,
      [topic, partition, afterOffset ?? '0', limit],
    );
    return rows.map((row) => ({ topic, partition, ...row }));
  }

  async lastOffset(): Promise<string | null> {
    const { rows } = await this.pool.query<{ offset: string | null }>(
      `SELECT max("offset") AS "offset" FROM ${this.schema}.records`,
    );
    return rows[0]?.offset ?? null;
  }

  async committed(groupId: string, topic: string, partition: number): Promise<string | null> {
    const { rows } = await this.pool.query<{ offset: string }>(
      `SELECT "offset" FROM ${this.schema}.consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [groupId, topic, partition],
    );
    return rows[0]?.offset ?? null;
  }

  async commit(groupId: string, topic: string, partition: number, offset: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.schema}.consumer_offsets (group_id, topic, partition, "offset") VALUES ($1, $2, $3, $4)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET "offset" = excluded."offset", updated_at = now()`,
      [groupId, topic, partition, offset],
    );
  }

  async prune(retentionMs: number): Promise<number> {
    // Dead letters are kept for an operator; other records go once no group is behind them (a topic
    // only ephemeral groups read has no stored positions: its records go by age alone).
    const result = await this.pool.query(
      `DELETE FROM ${this.schema}.records r
       WHERE r.appended_at < now() - make_interval(secs => $1::double precision / 1000)
         AND r.topic NOT LIKE '%.dlq'
         AND NOT EXISTS (SELECT 1 FROM ${this.schema}.consumer_offsets c
                         WHERE c.topic = r.topic AND c.partition = r.partition AND c."offset" < r."offset")`,
      [retentionMs],
    );
    return result.rowCount ?? 0;
  }

  async forgetIdleGroups(liveGroups: readonly string[], idleMs: number): Promise<number> {
    await this.pool.query(
      `UPDATE ${this.schema}.consumer_offsets SET updated_at = now() WHERE group_id = ANY($1::text[])`,
      [liveGroups],
    );
    const result = await this.pool.query(
      `DELETE FROM ${this.schema}.consumer_offsets
       WHERE updated_at < now() - make_interval(secs => $1::double precision / 1000)
         AND NOT (group_id = ANY($2::text[]))`,
      [idleMs, liveGroups],
    );
    return result.rowCount ?? 0;
  }

  async groups(): Promise<string[]> {
    const { rows } = await this.pool.query<{ group_id: string }>(
      `SELECT DISTINCT group_id FROM ${this.schema}.consumer_offsets ORDER BY group_id`,
    );
    return rows.map((row) => row.group_id);
  }

  /** Runs `work` in a transaction holding the log's advisory lock: migrations and appends, one at a time. */
  private async inLockedTransaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [this.lockKey]);
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async checkHealth(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function hashToInt32(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}
