import { randomBytes, randomUUID } from 'node:crypto';
import { ConversationAssignedV1 } from '@switchboard/contracts';
import {
  type AppProcess,
  type OtlpReceiver,
  type ReceivedSpan,
  type TestDatabase,
  createTestDatabase,
  signedTwilioWebhook,
  startAppProcess,
  startOtlpReceiver,
  testRunId,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';
import WebSocket from 'ws';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const CUSTOMER = '+14155550187';
const PUBLIC_BASE_URL = 'https://switchboard.example.test';
const ADMIN = { email: 'owner@example.test', password: 'owner password 1234' };
const AGENT = { email: 'ada@example.test', password: 'agent password 1234' };
const SPAN_KIND = { server: 2, producer: 4, consumer: 5 } as const;

interface Frame {
  readonly type: string;
  readonly event?: { readonly id: string; readonly type: string; readonly payload: Record<string, unknown> };
}

/**
 * Issue 19's tracing, end to end, in the built standalone process on the real Kafka broker and
 * PostgreSQL, exporting to a loopback OTLP receiver: a signed Twilio SMS webhook, channel-sms's
 * publish on `inbound`, history's consumer (and its PostgreSQL statements), `conversations`,
 * routing's consumer and its owner's decision, `routing`, the inbox's live consumer, and the frame
 * sent to the agent's WebSocket are one trace, each span the child of the hop before it. Every hop
 * between services crosses Kafka: the context can only have travelled in the records' headers.
 */
describe('standalone: one trace from an SMS webhook to the agent socket', () => {
  const topicPrefix = `${testRunId()}.tracing-${randomUUID().slice(0, 8)}.`;
  let database: TestDatabase;
  let db: pg.Pool;
  let receiver: OtlpReceiver;
  let app: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase('standalone_tracing');
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    receiver = await startOtlpReceiver();
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '2',
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    await app.waitUntilReady(120_000);
  }, 180_000);

  afterAll(async () => {
    await app?.stop('SIGTERM');
    await receiver?.close();
    await db?.end();
    await database?.drop();
  });

  it('carries one trace id through every hop, each span the child of the one before', async () => {
    const agentId = await inviteAgent();
    const frames: Frame[] = [];
    const socket = await openAgentSocket(frames);
    // Routing must know the agent is online before the text arrives, so that the assignment is
    // the text's doing (not the presence event's).
    await waitFor(
      async () =>
        (
          await db.query<{ presence: string }>(
            'SELECT presence FROM routing.agent_states WHERE agent_id = $1',
            [agentId],
          )
        ).rows[0]?.presence === 'online',
      { what: 'the agent online in routing', timeoutMs: 60_000 },
    );

    const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, { Body: 'Is my order late?' });
    const { headers, body } = signedTwilioWebhook(
      AUTH_TOKEN,
      `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
      params,
    );
    expect((await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', headers, body })).status).toBe(
      200,
    );

    const assigned = await waitFor(
      () =>
        frames.find(
          (f) => f.event?.type === ConversationAssignedV1.type && f.event.payload.agentId === agentId,
        ),
      { what: "the assignment's frame on the agent's socket", timeoutMs: 60_000 },
    );
    socket.terminate();

    // The frame's span, once exported, and every ancestor up to the webhook's request.
    const frameSpan = await waitFor(
      () =>
        receiver
          .spans()
          .find(
            (s) =>
              s.name === 'inbox.live send' && s.attributes['switchboard.event_id'] === assigned.event!.id,
          ),
      { what: "the frame's span at the OTLP receiver", timeoutMs: 30_000 },
    );
    const chain = await waitFor(() => ancestry(frameSpan), {
      what: 'every ancestor of the frame span exported',
      timeoutMs: 30_000,
    });
    const root = chain[chain.length - 1]!;
    expect(root.kind).toBe(SPAN_KIND.server);
    expect(Object.values(root.attributes).some((v) => v.includes('/webhooks/twilio/sms'))).toBe(true);
    expect(new Set(chain.map((s) => s.traceId))).toEqual(new Set([root.traceId]));

    // The hops in order, from the webhook down to the frame (other spans may sit between them).
    const hops = chain
      .slice()
      .reverse()
      .filter(
        (s) =>
          s.kind === SPAN_KIND.producer ||
          s.kind === SPAN_KIND.consumer ||
          s.name.startsWith('routing') ||
          s.name === 'inbox.live send',
      )
      .map((s) => s.name);
    expect(hops).toEqual([
      'send switchboard.inbound',
      'process switchboard.inbound',
      'process switchboard.conversations',
      'routing apply',
      'send switchboard.routing',
      'process switchboard.routing',
      'inbox.live send',
    ]);
    const consumers = chain.filter((s) => s.kind === SPAN_KIND.consumer);
    expect(consumers.map((s) => s.attributes['messaging.consumer.group.name'])).toEqual([
      expect.stringMatching(/^inbox\.live\./),
      expect.stringMatching(/^routing/),
      expect.stringMatching(/^history/),
    ]);

    // The pg instrumentation works under ESM: history's consumer wrote through traced statements.
    const history = chain.find((s) => s.name === 'process switchboard.inbound')!;
    const all = receiver.spans();
    const statements = all.filter(
      (s) => s.traceId === root.traceId && s.attributes['db.system.name'] === 'postgresql',
    );
    expect(statements.some((s) => descendsFrom(s, history, all))).toBe(true);

    // A log line written while a request is traced names its trace and span: a forged webhook's.
    const forged = signedTwilioWebhook(
      'not the auth token',
      `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
      twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, { Body: 'forged' }),
    );
    const refused = await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', ...forged });
    expect(refused.status).toBe(403);
    const logged = await waitFor(
      () =>
        app
          .output()
          .split('\n')
          .filter((line) => line.includes('rejected a Twilio webhook'))
          .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string })[0],
      { what: 'the rejection logged', timeoutMs: 10_000 },
    );
    expect(logged.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const rejectedRequest = await waitFor(
      () => receiver.spans().find((s) => s.traceId === logged.trace_id && s.spanId === logged.span_id),
      { what: "the forged webhook's span", timeoutMs: 30_000 },
    );
    expect(rejectedRequest.kind).toBe(SPAN_KIND.server);
    expect(rejectedRequest.traceId).not.toBe(root.traceId);
  }, 240_000);

  /** The span and its ancestors, nearest first; undefined while one is not exported yet. */
  function ancestry(span: ReceivedSpan): ReceivedSpan[] | undefined {
    const byId = new Map(receiver.spans().map((s) => [s.spanId, s]));
    const chain = [span];
    for (let current = span; current.parentSpanId !== '';) {
      const parent = byId.get(current.parentSpanId);
      if (parent === undefined) return undefined;
      chain.push(parent);
      current = parent;
    }
    return chain;
  }

  async function inviteAgent(): Promise<string> {
    const admin = await fetch(`${app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify(ADMIN),
    });
    const { csrfToken } = (await admin.json()) as { csrfToken: string };
    const cookie = admin.headers.getSetCookie()[0]!.split(';')[0]!;
    const invite = await fetch(`${app.url}/api/inbox/invites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url, cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ email: AGENT.email, displayName: 'Ada', role: 'agent' }),
    });
    const { path } = (await invite.json()) as { path: string };
    const accepted = await fetch(`${app.url}/api/inbox/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ token: path.split('/invite/')[1], password: AGENT.password }),
    });
    expect(accepted.status).toBe(200);
    return ((await accepted.json()) as { user: { id: string } }).user.id;
  }

  async function openAgentSocket(frames: Frame[]): Promise<WebSocket> {
    const session = await fetch(`${app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify(AGENT),
    });
    expect(session.status).toBe(200);
    const cookie = session.headers.getSetCookie()[0]!.split(';')[0]!;
    const socket = new WebSocket(`${app.url.replace('http', 'ws')}/ws/inbox`, {
      headers: { cookie, origin: app.url },
    });
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Frame));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return socket;
  }
});

function descendsFrom(span: ReceivedSpan, ancestor: ReceivedSpan, all: readonly ReceivedSpan[]): boolean {
  const byId = new Map(all.map((s) => [s.spanId, s]));
  for (
    let current: ReceivedSpan | undefined = span;
    current !== undefined;
    current = byId.get(current.parentSpanId)
  ) {
    if (current.spanId === ancestor.spanId) return true;
  }
  return false;
}
