import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@switchboard/platform';
import {
  type S3Server,
  type TwilioApiServer,
  freeStablePort,
  startS3Server,
  startTwilioApiServer,
  waitFor,
} from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { renderChart } from '../helm-check/helm-check.mjs';
import { type RunningCluster, startCluster } from '../local/kafka/kafka-broker.mjs';
import { Cluster } from './cluster.util.js';
import {
  type Agent,
  Load,
  OnlineAgent,
  arrivals,
  routingViolations,
  signIn,
  traceDeliveries,
} from './load.util.js';

/**
 * `npm run test:faults` (issue 21): the chart's defaults (replication factor 3) on a three-node
 * KRaft cluster (min.insync.replicas 2) and a PostgreSQL of the test's own, one replica of each
 * app, under a steady load of texts and agent replies. In turn: kill -9 of each app (down until
 * it restarts), one broker killed mid-stream and started again, PostgreSQL restarted. Then count
 * in = count out: every acknowledged text stored once and routed, every acknowledged reply sent
 * once, routing consistent. Times to recover go to .ci/logs/faults-recovery.json.
 */

const APPS = [
  'history',
  'routing',
  'channel-sms',
  'channel-web',
  'channel-social',
  'inbox',
  'grpc-api',
  'bot',
  'reporting',
] as const;
const ADMIN = { email: 'faults@example.test', password: 'faults password 1234' };
const LOG_DIR = '.ci/logs/faults';

/** Lines the pods logged when they dead-lettered an event: a fault must never cost one. */
function deadLetterLines(): string[] {
  return readdirSync(LOG_DIR)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) =>
      readFileSync(join(LOG_DIR, f), 'utf8')
        .split('\n')
        .filter((line) => line.includes('dead-letter'))
        .map((line) => `${f}: ${line.slice(0, 600)}`),
    );
}

describe('test:faults: kill -9 of each app, a broker and PostgreSQL restarted, under load', () => {
  const topicPrefix = `faults-${randomUUID().slice(0, 8)}.`;
  const twilioAccount = {
    accountSid: `AC${randomBytes(16).toString('hex')}`,
    authToken: randomBytes(16).toString('hex'),
    number: '+14155550100',
    publicBaseUrl: 'https://switchboard.example.test',
  };
  let pgDir: string;
  let pgPort: number;
  let postgres: EmbeddedPostgres | undefined;
  let kafka: RunningCluster | undefined;
  let db: pg.Pool;
  let twilio: TwilioApiServer;
  let s3: S3Server;
  let cluster: Cluster | undefined;
  let agent: Agent;
  let load: Load;
  let online: OnlineAgent | undefined;
  const recoveries: { fault: string; recoveredMs: number }[] = [];
  const timeline: { fault: string; at: number }[] = [];

  const startPostgres = async () => {
    postgres = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort, database: 'switchboard' });
  };

  beforeAll(async () => {
    pgDir = await mkdtemp(join(tmpdir(), 'switchboard-faults-pg-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to enter the directory.
    await chmod(pgDir, 0o755);
    pgPort = await freeStablePort(); // PostgreSQL restarts on it
    [kafka] = await Promise.all([startCluster({ nodes: 3 }), startPostgres()]);
    db = new pg.Pool({ connectionString: postgres!.url, max: 4 });
    // PostgreSQL's restart severs idle connections: the pool replaces them.
    db.on('error', () => undefined);
    twilio = await startTwilioApiServer({ [twilioAccount.accountSid]: twilioAccount.authToken });
    s3 = await startS3Server({ bucket: 'switchboard-attachments' });
    // Three broker JVMs starting together (up to 5 minutes each on a loaded machine, see
    // startCluster) beside PostgreSQL's initdb.
  }, 420_000);

  afterAll(async () => {
    await online?.stop();
    await load?.stop();
    if (cluster) {
      for (const p of cluster.pods.filter((x) => !x.ready))
        console.log(`--- ${p.name}\n${p.logs().slice(-4000)}`);
      await cluster.stop();
      writeFileSync(join(LOG_DIR, 'events.json'), JSON.stringify(cluster.events, null, 1));
    }
    await twilio?.close();
    await s3?.close();
    await db?.end();
    await kafka?.stop();
    await postgres?.stop();
    if (pgDir) await rm(pgDir, { recursive: true, force: true });
  }, 180_000);

  it('starts every app (one replica each) on a three-broker cluster with the chart’s replication factor 3', async () => {
    const objects = await renderChart({
      values: {
        config: {
          KAFKA_BROKERS: kafka!.brokers,
          KAFKA_TOPIC_PREFIX: topicPrefix,
          // The run's choice of Kafka client (ADR 0006), e.g. KAFKA_CLIENT=platformatic.
          ...(process.env.KAFKA_CLIENT === undefined ? {} : { KAFKA_CLIENT: process.env.KAFKA_CLIENT }),
          PUBLIC_BASE_URL: twilioAccount.publicBaseUrl,
          // Each pod's log goes to .ci/logs/faults/: group joins, evictions, retries, dead letters.
          LOG_LEVEL: 'info',
          ATTACHMENT_S3_ENDPOINT: s3.url,
          ATTACHMENT_S3_FORCE_PATH_STYLE: 'true',
          ATTACHMENT_S3_REGION: s3.region,
        },
        secrets: {
          DATABASE_URL: postgres!.url,
          SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          INTERNAL_API_TOKEN: randomBytes(32).toString('hex'),
          TWILIO_ACCOUNT_SID: twilioAccount.accountSid,
          TWILIO_AUTH_TOKEN: twilioAccount.authToken,
          TWILIO_PHONE_NUMBER: twilioAccount.number,
          ATTACHMENT_S3_ACCESS_KEY_ID: s3.accessKeyId,
          ATTACHMENT_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
        },
        apps: Object.fromEntries(
          APPS.map((app) => [
            app,
            { replicas: 1, ...(app === 'channel-sms' ? { env: { TWILIO_API_BASE_URL: twilio.url } } : {}) },
          ]),
        ),
      },
    });
    cluster = await Cluster.start(objects, { logDir: LOG_DIR });
    await cluster.waitUntilAllReady(300_000);
    // The topics the apps made carry the chart's replication factor.
    const admin = new Kafka({
      clientId: 'faults-check',
      brokers: kafka!.brokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix));
      expect(topics.length).toBeGreaterThan(0);
      // A topic just made may be listed before every broker serves its metadata (a run saw
      // UNKNOWN_TOPIC_OR_PARTITION here): asked again until all three brokers know it.
      const described = await waitFor(
        async () => (await admin.fetchTopicMetadata({ topics }).catch(() => null))?.topics ?? null,
        { timeoutMs: 30_000, what: "the apps' topics described by the cluster" },
      );
      for (const t of described) for (const p of t.partitions) expect(p.replicas).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
  }, 300_000);

  it('counts in = counts out across kill -9 of each app, a broker killed and restarted, and a PostgreSQL restart', async () => {
    const c = cluster!;
    agent = await signIn(c.serviceUrl('inbox'), ADMIN.email, ADMIN.password);
    const put = await fetch(`${c.serviceUrl('inbox')}/api/inbox/admin/agents/${agent.userId}`, {
      method: 'PUT',
      headers: agent.headers,
      body: JSON.stringify({ skills: [], defaultChannelCapacity: 100, maxConcurrent: 100 }),
    });
    expect(put.status).toBeLessThan(300);
    online = new OnlineAgent(() => c.serviceUrl('inbox'), agent);
    load = new Load({
      webhookUrl: () => c.serviceUrl('channel-sms'),
      inboxUrl: () => c.serviceUrl('inbox'),
      twilio: twilioAccount,
      agent,
      db,
      inboundEveryMs: 1_000,
      giveUpAfterMs: 180_000,
    });
    load.start();
    await waitFor(() => load.replies.length >= 3, {
      timeoutMs: 90_000,
      intervalMs: 500,
      what: 'first replies',
    });

    // Recovered: every text acknowledged so far is stored and assigned again.
    const caughtUp = async (fault: string, since: number) => {
      const upTo = load.inbound.length;
      await waitFor(
        async () => {
          const sids = load.inbound.slice(0, upTo).map((m) => m.sid);
          const a = await arrivals(db, sids).catch(() => undefined);
          return a && [...a.values()].filter((x) => x.assignedAt !== null).length === sids.length;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: `texts flowing again after ${fault}` },
      );
      recoveries.push({ fault, recoveredMs: Date.now() - since });
      timeline.push({ fault, at: since });
    };

    for (const app of APPS) {
      const [pod] = c.podsOf(app);
      const at = Date.now();
      await pod!.kill();
      await waitFor(() => pod!.ready, { timeoutMs: 120_000, intervalMs: 250, what: `${app} back` });
      await caughtUp(`kill -9 ${app}`, at);
    }

    // One broker of three dies mid-stream: writes need 2 in sync, so nothing stops.
    let at = Date.now();
    const node = kafka!.nodes[0]!;
    await node.kill();
    await new Promise((r) => setTimeout(r, 10_000));
    await caughtUp('broker 1 of 3 killed (still down)', at);
    at = Date.now();
    await node.start();
    await caughtUp('broker 1 of 3 restarted', at);

    // PostgreSQL stops (fast shutdown) and comes back on the same port and data.
    at = Date.now();
    await postgres!.stop();
    await new Promise((r) => setTimeout(r, 5_000));
    await startPostgres();
    await c.waitUntilAllReady(120_000);
    await caughtUp('PostgreSQL restarted', at);

    await load.stopTexts();
    mkdirSync('.ci/logs', { recursive: true });
    const report = {
      kafkaClient: process.env.KAFKA_CLIENT ?? 'the chart’s default',
      recoveries,
      texts: load.inbound.length,
      replies: load.replies.length,
      refused: load.refusedWebhooks,
    };
    writeFileSync('.ci/logs/faults-recovery.json', JSON.stringify(report, null, 2));
    console.log(`test:faults recoveries:\n${JSON.stringify(report, null, 2)}`);

    // Count in = count out.
    expect(load.failures).toEqual([]);
    const sids = load.inbound.map((m) => m.sid);
    const arrived = await waitFor(
      async () => {
        const a = await arrivals(db, sids);
        return [...a.values()].filter((x) => x.assignedAt !== null).length === sids.length ? a : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000, what: 'every acknowledged text stored and assigned' },
    );
    await load.stop();
    expect([...arrived.values()].filter((a) => a.copies !== 1)).toEqual([]);
    const unsent = () => {
      const bodies = new Set(twilio.creations().map((x) => x.form.get('Body')));
      return load.replies.filter((r) => !bodies.has(r.text)).map((r) => r.text);
    };
    await waitFor(() => unsent().length === 0, { timeoutMs: 120_000, intervalMs: 500 }).catch(
      () => undefined,
    );
    const lost = load.replies.filter((r) => unsent().includes(r.text));
    if (lost.length > 0) {
      // Where each one stopped: history's row, still in history's outbox, channel-sms's claim.
      const ids = lost.map((r) => r.messageId ?? '');
      const { rows } = await db.query(
        `SELECT id, text, channel, delivery_status, delivery_error_code, created_at FROM history.messages
          WHERE id::text = ANY($1)`,
        [ids],
      );
      const { rows: outbox } = await db.query(
        `SELECT id FROM history.outbox WHERE EXISTS (
           SELECT 1 FROM jsonb_array_elements(entries::jsonb) e WHERE e::text LIKE ANY($1))`,
        [ids.map((id) => `%${id}%`)],
      );
      const { rows: claims } = await db.query(
        `SELECT message_id, status, provider_message_id, error_code, updated_at
           FROM channels.sms_outbound_messages WHERE message_id::text = ANY($1)`,
        [ids],
      );
      // Where its delivery request is in the log, and where channel-sms's group stands.
      const log = await traceDeliveries(kafka!.brokers.split(','), topicPrefix, ids).catch((error: unknown) =>
        String(error),
      );
      console.log(
        `replies acknowledged but not sent:\n${JSON.stringify({ lost, rows, outbox, claims, log, timeline, deadLetters: deadLetterLines() }, null, 2)}`,
      );
    }
    expect(unsent()).toEqual([]);
    expect(load.replies.filter((r) => r.messageId === null)).toEqual([]);
    // Every failure a fault caused was waited out: nothing went to a dead-letter topic.
    expect(deadLetterLines()).toEqual([]);
    const sent = new Map<string, number>();
    for (const x of twilio.creations())
      sent.set(x.form.get('Body') ?? '', (sent.get(x.form.get('Body') ?? '') ?? 0) + 1);
    const doubled = load.replies.filter((r) => (sent.get(r.text) ?? 0) > 1);
    if (doubled.length > 0) {
      // When each copy reached Twilio, and what channel-sms recorded (ADR 0093).
      const { rows: claims } = await db.query(
        `SELECT message_id, status, provider_message_id, send_attempted_at, updated_at
           FROM channels.sms_outbound_messages WHERE message_id::text = ANY($1)`,
        [doubled.map((r) => r.messageId ?? '')],
      );
      const copies = doubled.map((r) => ({
        ...r,
        at: twilio
          .creations()
          .filter((x) => x.form.get('Body') === r.text)
          .map((x) => new Date(x.receivedAt).toISOString()),
      }));
      console.log(`replies sent more than once:\n${JSON.stringify({ copies, claims, timeline }, null, 2)}`);
    }
    expect(load.replies.filter((r) => sent.get(r.text) !== 1)).toEqual([]);
    await waitFor(async () => (await routingViolations(db)).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 1_000,
    }).catch(() => undefined);
    expect(await routingViolations(db)).toEqual([]);
  }, 900_000);
});
