import { randomBytes, randomUUID } from 'node:crypto';
import { signedTwilioWebhook, twilioInboundSmsParams } from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import WebSocket from 'ws';

/**
 * A steady load on a running Switchboard: customers texting (signed Twilio webhooks, retried as
 * Twilio's edge retries an answer that is not 2xx) and an agent answering in the inbox (a reply
 * with an idempotency key, retried with the same key until acknowledged, then the conversation
 * resolved so the agent's capacity frees). Records what was acknowledged and when, so a test can
 * check that nothing acknowledged is lost or doubled, and how long each message took.
 */

export interface Twilio {
  readonly accountSid: string;
  readonly authToken: string;
  readonly number: string;
  readonly publicBaseUrl: string;
}

export interface AckedInbound {
  readonly sid: string;
  readonly from: string;
  readonly text: string;
  readonly sentAt: number;
  readonly ackedAt: number;
  readonly attempts: number;
}

export interface AckedReply {
  readonly conversationId: string;
  readonly text: string;
  readonly ackedAt: number;
  /** What the inbox answered: the stored message's id (null: a 2xx without one). */
  readonly messageId: string | null;
}

export interface Agent {
  readonly userId: string;
  readonly headers: Record<string, string>;
  readonly cookie: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A random word of letters. Texts carry no digit runs: history masks what looks like a card
 * number (a UUID's `8386-4878-8278` does), and the test finds messages by their text.
 */
function word(length = 16): string {
  return Array.from(randomBytes(length), (b) => String.fromCharCode(97 + (b % 26))).join('');
}

/** Signs in through the inbox Service and gives the agent capacity in routing. */
export async function signIn(inboxUrl: string, email: string, password: string): Promise<Agent> {
  const response = await fetch(`${inboxUrl}/api/inbox/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: inboxUrl },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  const { user, csrfToken } = (await response.json()) as { user: { id: string }; csrfToken: string };
  const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
  return {
    userId: user.id,
    cookie,
    headers: { cookie, origin: inboxUrl, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
  };
}

/** An agent's live feed on one inbox replica (its own URL, not the Service). */
export class LiveFeed {
  readonly frames: { at: number; text: string }[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.frames.push({ at: Date.now(), text: data.toString('utf8') }));
  }

  static async connect(replicaUrl: string, agent: Agent): Promise<LiveFeed> {
    const socket = new WebSocket(`${replicaUrl.replace('http', 'ws')}/ws/inbox`, {
      headers: { cookie: agent.cookie, origin: replicaUrl },
    });
    const feed = new LiveFeed(socket);
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const fail = (error: Error) => {
        clearInterval(timer);
        socket.terminate();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('close', (code) => fail(new Error(`live feed closed: ${code}`)));
      const timer = setInterval(() => {
        if (feed.frames.some((f) => f.text.includes('"hello"'))) {
          clearInterval(timer);
          resolve();
        } else if (Date.now() - started > 10_000) fail(new Error('no hello within 10 s'));
      }, 50);
    });
    return feed;
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.socket.close();
  }
}

const REPLIES_IN_FLIGHT = 16;

/**
 * An agent's browser tab: a live feed through the inbox Service, reconnected a second after it
 * drops (the replica it was on died), as the inbox SPA does. A connected agent is online, and
 * routing assigns to online agents only.
 */
export class OnlineAgent {
  private feed: LiveFeed | undefined;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(inboxUrl: () => string, agent: Agent) {
    this.loop = (async () => {
      while (!this.stopped) {
        if (!this.feed?.open) {
          this.feed = await LiveFeed.connect(inboxUrl(), agent).catch(() => undefined);
        }
        await sleep(1_000);
      }
      this.feed?.close();
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

export class Load {
  readonly inbound: AckedInbound[] = [];
  readonly replies: AckedReply[] = [];
  readonly failures: string[] = [];
  /** Webhook answers that were not 2xx, or did not come: each one retried. */
  refusedWebhooks = 0;
  private running = false;
  private sending = false;
  private loops: Promise<void>[] = [];
  private readonly replied = new Set<string>();
  private sequence = 0;

  constructor(
    private readonly options: {
      readonly webhookUrl: () => string;
      readonly inboxUrl: () => string;
      readonly twilio: Twilio;
      readonly agent: Agent;
      readonly db: pg.Pool;
      /** Between two new customers' first texts. */
      readonly inboundEveryMs: number;
      /** Gives up on one webhook (a failure) after this long of retries. */
      readonly giveUpAfterMs?: number;
    },
  ) {}

  start(): void {
    this.running = true;
    this.sending = true;
    this.loops = [this.inboundLoop(), this.replyLoop()];
  }

  /** No new texts; the agent goes on answering (and so freeing capacity for what still waits). */
  async stopTexts(): Promise<void> {
    this.sending = false;
    await this.loops[0];
  }

  async stop(): Promise<void> {
    this.sending = false;
    this.running = false;
    await Promise.all(this.loops);
  }

  private async inboundLoop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (this.sending) {
      const p = this.sendOne().finally(() => inFlight.delete(p));
      inFlight.add(p);
      await sleep(this.options.inboundEveryMs);
    }
    await Promise.all(inFlight);
  }

  private async sendOne(): Promise<void> {
    const { twilio } = this.options;
    const n = ++this.sequence;
    const from = `+1415${5_000_000 + n}`; // a new customer each time: a new conversation to route
    const text = `load ${n} ${word()}`;
    const params = twilioInboundSmsParams(twilio.accountSid, twilio.number, from, { Body: text });
    const path = '/webhooks/twilio/sms';
    const { headers, body } = signedTwilioWebhook(twilio.authToken, `${twilio.publicBaseUrl}${path}`, params);
    const sentAt = Date.now();
    const deadline = sentAt + (this.options.giveUpAfterMs ?? 120_000);
    for (let attempt = 1; ; attempt++) {
      const status = await fetch(`${this.options.webhookUrl()}${path}`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(15_000),
      })
        .then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        })
        .catch(() => 0);
      if (status >= 200 && status < 300) {
        this.inbound.push({
          sid: params.MessageSid,
          from,
          text,
          sentAt,
          ackedAt: Date.now(),
          attempts: attempt,
        });
        return;
      }
      this.refusedWebhooks += 1;
      if (Date.now() > deadline) {
        this.failures.push(`webhook ${params.MessageSid} never acknowledged (last ${status})`);
        return;
      }
      await sleep(1_000);
    }
  }

  /** Conversations routing assigned to our agent that we have not answered yet. */
  private async assignedUnanswered(): Promise<string[]> {
    const { rows } = await this.options.db.query<{ conversation_id: string }>(
      `SELECT conversation_id FROM routing.conversations
        WHERE state = 'assigned' AND agent_id = $1 ORDER BY assigned_at LIMIT 50`,
      [this.options.agent.userId],
    );
    return rows.map((r) => r.conversation_id).filter((id) => !this.replied.has(id));
  }

  /** Up to `REPLIES_IN_FLIGHT` conversations answered at once, each as soon as it is assigned. */
  private async replyLoop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (this.running) {
      const ids = await this.assignedUnanswered().catch(() => []);
      for (const id of ids.slice(0, Math.max(0, REPLIES_IN_FLIGHT - inFlight.size))) {
        const p = this.answer(id).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await sleep(300);
    }
    await Promise.all(inFlight);
  }

  private async answer(conversationId: string): Promise<void> {
    this.replied.add(conversationId);
    const text = `reply ${word(24)}`;
    const idempotencyKey = randomUUID();
    let answered: unknown;
    const post = (path: string, payload: unknown) =>
      fetch(`${this.options.inboxUrl()}${path}`, {
        method: 'POST',
        headers: this.options.agent.headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(15_000),
      })
        .then(async (r) => {
          const text = await r.text();
          try {
            answered = JSON.parse(text);
          } catch {
            answered = undefined;
          }
          return r.status;
        })
        .catch(() => 0);
    const deadline = Date.now() + 120_000;
    const retry = async (path: string, payload: unknown): Promise<boolean> => {
      for (;;) {
        const status = await post(path, payload);
        if (status >= 200 && status < 300) return true;
        if (status >= 400 && status < 500 && status !== 409 && status !== 429) {
          this.failures.push(`${path}: ${status}`);
          return false;
        }
        if (Date.now() > deadline) {
          this.failures.push(`${path}: never acknowledged (last ${status})`);
          return false;
        }
        await sleep(1_000);
      }
    };
    const base = `/api/inbox/conversations/${conversationId}`;
    if (!(await retry(`${base}/messages`, { idempotencyKey, text }))) return;
    const messageId = (answered as { messageId?: unknown } | undefined)?.messageId;
    this.replies.push({
      conversationId,
      text,
      ackedAt: Date.now(),
      messageId: typeof messageId === 'string' ? messageId : null,
    });
    await retry(`${base}/status`, { status: 'resolved' });
  }
}

/** Routing's invariants: one assignee per assigned conversation, no agent over capacity, loads true. */
export async function routingViolations(db: pg.Pool): Promise<string[]> {
  const problems: string[] = [];
  const orphans = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM routing.conversations WHERE state = 'assigned' AND agent_id IS NULL",
  );
  if (Number(orphans.rows[0]!.n) > 0)
    problems.push(`${orphans.rows[0]!.n} assigned conversations without an agent`);
  const loads = await db.query<{ agent_id: string; capacity: number; load: number; assigned: string }>(
    `SELECT s.agent_id, s.capacity, s.load,
            (SELECT count(*) FROM routing.conversations c
              WHERE c.workspace_id = s.workspace_id AND c.agent_id = s.agent_id AND c.state = 'assigned') AS assigned
       FROM routing.agent_states s`,
  );
  for (const row of loads.rows) {
    if (Number(row.assigned) > row.capacity) {
      problems.push(`agent ${row.agent_id}: ${row.assigned} assigned over capacity ${row.capacity}`);
    }
    if (Number(row.assigned) !== row.load) {
      problems.push(`agent ${row.agent_id}: load ${row.load} but ${row.assigned} assigned`);
    }
  }
  return problems;
}

/**
 * For each acknowledged text, when history stored it and when routing assigned its
 * conversation (null while not yet).
 */
export async function arrivals(
  db: pg.Pool,
  sids: readonly string[],
): Promise<Map<string, { storedAt: number; assignedAt: number | null; copies: number }>> {
  const { rows } = await db.query<{
    provider_message_id: string;
    stored_at: Date;
    assigned_at: Date | null;
    copies: string;
  }>(
    `SELECT m.provider_message_id, min(m.created_at) AS stored_at, min(c.assigned_at) AS assigned_at,
            count(DISTINCT m.id) AS copies
       FROM history.messages m
       LEFT JOIN routing.conversations c ON c.conversation_id = m.conversation_id
      WHERE m.provider_message_id = ANY($1)
      GROUP BY m.provider_message_id`,
    [sids],
  );
  return new Map(
    rows.map((r) => [
      r.provider_message_id,
      {
        storedAt: r.stored_at.getTime(),
        assignedAt: r.assigned_at ? r.assigned_at.getTime() : null,
        copies: Number(r.copies),
      },
    ]),
  );
}

/** Where one reply's delivery request stands in the event log, for a reply that never reached Twilio. */
export interface DeliveryTrace {
  readonly messageId: string;
  /** Its MessageDeliveryRequested records on the deliveries topic (none: history never relayed it). */
  readonly records: { partition: number; offset: string; timestamp: string }[];
  /** By partition: the channel-sms group's committed offset, and the partition's end. */
  readonly partitions: Record<number, { committed: string; end: string }>;
  /** The group's state and members (by client id) when asked. */
  readonly group: { state: string; members: string[] };
}

/**
 * Reads the deliveries topic from its start (a group of its own, deleted after) and finds each
 * message's delivery request; with the channel-sms group's committed offsets beside it, a lost
 * reply reads as never relayed (no record), not consumed yet (committed at or below its offset),
 * or skipped (committed past it with no send).
 */
export async function traceDeliveries(
  brokers: readonly string[],
  topicPrefix: string,
  messageIds: readonly string[],
  groupId = 'channel-sms.deliveries',
): Promise<DeliveryTrace[]> {
  const kafka = new Kafka({ clientId: 'delivery-trace', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const topic = `${topicPrefix}switchboard.deliveries`;
  const group = `${topicPrefix}${groupId}`;
  const admin = kafka.admin();
  await admin.connect();
  const found = new Map<string, DeliveryTrace['records']>(messageIds.map((id) => [id, []]));
  const traceGroup = `${topicPrefix}delivery-trace-${randomUUID().slice(0, 8)}`;
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const { groups } = await admin.describeGroups([group]);
    const reading = ends.filter((p) => BigInt(p.high) > BigInt(p.low));
    if (reading.length > 0) {
      const consumer = kafka.consumer({ groupId: traceGroup });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const left = new Set(reading.map((p) => p.partition));
      let done: () => void = () => undefined;
      const all = new Promise<void>((resolve) => (done = resolve));
      await consumer.run({
        eachMessage: ({ partition, message }) => {
          const text = message.value?.toString('utf8') ?? '';
          for (const id of messageIds)
            if (text.includes(id))
              found.get(id)!.push({
                partition,
                offset: message.offset,
                timestamp: new Date(Number(message.timestamp)).toISOString(),
              });
          const end = reading.find((p) => p.partition === partition)!;
          if (BigInt(message.offset) + 1n >= BigInt(end.high)) left.delete(partition);
          if (left.size === 0) done();
          return Promise.resolve();
        },
      });
      await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
      await consumer.disconnect();
      await admin.deleteGroups([traceGroup]).catch(() => undefined);
    }
    const partitions = Object.fromEntries(
      ends.map((p) => [
        p.partition,
        {
          committed: committed?.partitions.find((c) => c.partition === p.partition)?.offset ?? 'none',
          end: p.high,
        },
      ]),
    );
    const described = groups[0];
    return messageIds.map((messageId) => ({
      messageId,
      records: found.get(messageId)!,
      partitions,
      group: {
        state: described?.state ?? 'unknown',
        members: (described?.members ?? []).map((m) => m.clientId),
      },
    }));
  } finally {
    await admin.disconnect();
  }
}
