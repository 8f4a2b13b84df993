import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BusLogger } from '../bus-logger.js';
import { describeError } from '../dead-letter.js';

/** `application_name` of each process's liveness session: this prefix, then the process's tag. */
export const LIVENESS_APPLICATION_PREFIX = 'switchboard-bus:';

/** A group as Kafka describes it: who is in it, by the client id each member connected with. */
export interface DescribedGroup {
  readonly groupId: string;
  readonly members: readonly { readonly memberId: string; readonly clientId: string }[];
}

export interface CrashedMemberEvictionDeps {
  readonly databaseUrl: string;
  /** How often the groups are looked at. */
  readonly intervalMs: number;
  readonly logger: BusLogger;
  /** The consumer groups this process is a member of (physical names). */
  readonly groups: () => readonly string[];
  readonly describeGroups: (groupIds: readonly string[]) => Promise<readonly DescribedGroup[]>;
  /** LeaveGroup on behalf of `memberId`. */
  readonly evict: (groupId: string, memberId: string) => Promise<void>;
}

const TAG = /\.([0-9a-f]{16})$/;

/**
 * Hands a crashed process's partitions to the others as soon as its process is gone, rather than
 * when its Kafka session ends (ADR 0092).
 *
 * Kafka learns of a consumer that died without leaving (kill -9, OOM kill, a crash) only when its
 * session times out: 6 s at the least brokers accept by default, and on a loaded node the rejoin
 * and the first batch come on top. PostgreSQL learns of it at once: the kernel closes a dead
 * process's sockets, and the backend of its connection exits. So each process holds one idle
 * session whose `application_name` carries a tag that is also in its Kafka client id; every
 * second, each process lists the tags alive in PostgreSQL and, once one it saw alive is gone,
 * describes its own groups and, for a member whose tag it saw alive and no longer sees, sends
 * LeaveGroup on the member's behalf. The group then rebalances without waiting for the session.
 *
 * It never acts on what it cannot see: a tag is evicted only if it was seen alive during the
 * PostgreSQL server's current lifetime (after a PostgreSQL restart every process reconnects in its
 * own time, and none is taken for dead meanwhile), and only while this process's own session is
 * up. A process cut off from PostgreSQL alone is evicted once, which gives its partitions to
 * replicas that can work them; the session timeout stays the fallback for what PostgreSQL cannot
 * see (a node lost without a word, where no socket closes).
 */
export class CrashedMemberEviction {
  /** This process's tag: in its Kafka client id and in its liveness session's name. */
  readonly tag = randomBytes(8).toString('hex');
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  /** Tag → the PostgreSQL server start time it was last seen alive under. */
  private readonly seenAlive = new Map<string, string>();
  /** Tag → the PostgreSQL server start time its members were evicted under. */
  private readonly evicted = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: CrashedMemberEvictionDeps) {}

  /** The client id to give Kafka: `base` with this process's tag. */
  clientId(base: string): string {
    return `${base}.${this.tag}`;
  }

  /**
   * Opens the liveness session (once), then sweeps every `intervalMs`. Awaited before a consumer
   * joins, so that a member is never in a group before its process is seen alive; a database that
   * does not answer delays no consumer (the session is retried at each sweep).
   */
  async start(): Promise<void> {
    if (this.stopped) return;
    this.timer ??= setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, this.deps.intervalMs);
    this.timer.unref();
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
    await this.connecting;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private connect(): Promise<void> {
    if (this.client || this.stopped) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.deps.databaseUrl,
        application_name: `${LIVENESS_APPLICATION_PREFIX}${this.tag}`,
        connectionTimeoutMillis: 3_000,
        // A session the network silently lost is noticed, and replaced.
        keepAlive: true,
      });
      const lost = () => {
        if (this.client === client) this.client = undefined;
      };
      client.on('error', lost);
      client.on('end', lost);
      try {
        await client.connect();
        if (this.stopped) await client.end();
        else this.client = client;
      } catch (error) {
        this.deps.logger.debug({ error: describeError(error) }, 'liveness session not opened; retrying');
        await client.end().catch(() => undefined);
      }
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** One look at the groups; exported for tests through `sweepNow`. */
  async sweepNow(): Promise<void> {
    await this.sweep();
  }

  private async sweep(): Promise<void> {
    if (this.stopped) return;
    await this.connect();
    const client = this.client;
    const groups = this.deps.groups();
    if (!client || groups.length === 0) return;
    try {
      // Kafka is asked only once a process seen alive is no longer: while every one is, no member
      // can be evicted, and a sweep is one PostgreSQL query (not a FindCoordinator and a
      // DescribeGroups per group every second on the broker).
      const before = await this.liveTags(client);
      for (const tag of before.live) this.seenAlive.set(tag, before.epoch);
      if (![...this.seenAlive.keys()].some((tag) => tag !== this.tag && !before.live.has(tag))) return;
      // Groups first, then who is alive: a member listed was alive in PostgreSQL before it joined.
      const described = await this.deps.describeGroups(groups);
      const { epoch, live } = await this.liveTags(client);
      for (const tag of live) this.seenAlive.set(tag, epoch);
      const inGroups = new Set<string>();
      const gone = new Map<string, { groupId: string; memberId: string }[]>();
      for (const group of described) {
        for (const member of group.members) {
          const tag = TAG.exec(member.clientId)?.[1];
          if (tag === undefined) continue;
          inGroups.add(tag);
          if (tag === this.tag || live.has(tag) || this.seenAlive.get(tag) !== epoch) continue;
          // Once per process: one cut off from PostgreSQL alone rejoins, and is then left be.
          if (this.evicted.get(tag) === epoch) continue;
          gone.set(tag, [...(gone.get(tag) ?? []), { groupId: group.groupId, memberId: member.memberId }]);
        }
      }
      for (const [tag, members] of gone) {
        let evicted = false;
        for (const { groupId, memberId } of members) {
          try {
            await this.deps.evict(groupId, memberId);
            evicted = true;
            this.deps.logger.info(
              { groupId, memberId },
              'evicted the member of a process that is gone; its partitions move now',
            );
          } catch (error) {
            // Unknown member: it left, or another replica evicted it first.
            this.deps.logger.debug(
              { groupId, memberId, error: describeError(error) },
              'member of a process that is gone not evicted',
            );
          }
        }
        if (evicted) this.evicted.set(tag, epoch);
      }
      // Forget the dead once they are out of every group.
      for (const tag of this.seenAlive.keys()) {
        if (!live.has(tag) && !inGroups.has(tag)) {
          this.seenAlive.delete(tag);
          this.evicted.delete(tag);
        }
      }
    } catch (error) {
      this.deps.logger.debug({ error: describeError(error) }, 'crashed-member sweep failed; next time');
    }
  }

  /** The PostgreSQL server's start time, and the tags of the liveness sessions open now. */
  private async liveTags(client: pg.Client): Promise<{ epoch: string; live: Set<string> }> {
    const { rows } = await client.query<{ epoch: string; live: string[] }>(
      `SELECT pg_postmaster_start_time()::text AS epoch,
              coalesce(array_agg(substr(application_name, $2)) FILTER (WHERE application_name LIKE $1),
                       '{}') AS live
         FROM pg_stat_activity`,
      [`${LIVENESS_APPLICATION_PREFIX}%`, LIVENESS_APPLICATION_PREFIX.length + 1],
    );
    return { epoch: rows[0]!.epoch, live: new Set(rows[0]!.live) };
  }
}
