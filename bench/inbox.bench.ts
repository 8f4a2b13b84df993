/**
 * `npm run bench:inbox`: opening a conversation in the inbox (`GET /api/inbox/conversations/:id`:
 * the conversation, the customer, the first timeline page, merge suggestions, the read position
 * written) when the customer has 10,000 messages, measured closed-loop one request at a time on the
 * built standalone process (embedded mode, in-process event log, PostgreSQL). Beside it, in the
 * same run and on the same process: `GET /api/inbox/session` (the session lookup every inbox
 * request pays) and `GET /healthz`. Target (issue 7): p99 ≤ 100 ms.
 *
 * The 10,000 messages arrive as they would in production: signed Twilio webhooks from one number,
 * through channel-sms, the inbound topic and history. Needs history's HistoryApi in the build.
 */
import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  signedTwilioWebhook,
  startAppProcess,
  twilioInboundSmsParams,
} from '@switchboard/testing';
import { fmt, formatTable, percentile } from './bench.util.js';

const MESSAGES = Number(process.argv[2] ?? 10_000);
const REQUESTS = Number(process.argv[3] ?? 500);
const SEED_CONCURRENCY = 32;
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const CUSTOMER = '+14155550177';
const PUBLIC_BASE_URL = 'https://bench.example.test';
const ADMIN = { email: 'bench@example.test', password: 'bench password 123' };

const database = await createTestDatabase('bench_inbox');
const app = await startAppProcess('standalone', {
  DATABASE_URL: database.url,
  PUBLIC_BASE_URL,
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_PHONE_NUMBER: OUR_NUMBER,
  SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  LOG_LEVEL: 'warn',
});

let cookie = '';
let csrfToken = '';
/** GET, or with a payload a POST (with the CSRF token) as the SPA sends it. */
async function request(
  path: string,
  payload?: unknown,
): Promise<{ status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const response = await fetch(
    app.url + path,
    payload === undefined
      ? { headers: { cookie } }
      : {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', origin: app.url, 'x-csrf-token': csrfToken },
          body: JSON.stringify(payload),
        },
  );
  const body: unknown = await response.json().catch(() => undefined);
  return { status: response.status, body, ms: performance.now() - started };
}
const get = (path: string) => request(path);

async function seed(): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < MESSAGES) {
      const i = next++;
      const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, { Body: `Message ${i + 1}` });
      const { headers, body } = signedTwilioWebhook(
        AUTH_TOKEN,
        `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
        params,
      );
      for (;;) {
        const response = await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', headers, body });
        await response.arrayBuffer();
        if (response.status === 200) break;
        if (response.status !== 503) throw new Error(`webhook answered ${response.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}

interface ListItem {
  id: string;
  customerId: string;
}

/** Waits until history has stored every message: the customer's timeline reaches MESSAGES. */
async function conversationOfCustomer(): Promise<ListItem> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const list = await get('/api/inbox/conversations?view=all&status=open,pending,resolved&channel=sms');
    if (list.status === 503) throw new Error('the inbox answers 503: history is not reachable from it');
    const items = (list.body as { items?: ListItem[] }).items ?? [];
    if (items[0]) {
      let stored = 0;
      let token: string | null = null;
      // Count the timeline by pages of the inbox's default size (50).
      do {
        const page = await get(
          `/api/inbox/customers/${items[0].customerId}/timeline?${token ? `pageToken=${encodeURIComponent(token)}&` : ''}`,
        );
        const body = page.body as { items: unknown[]; nextPageToken: string | null };
        stored += body.items.length;
        token = body.nextPageToken;
      } while (token && stored < MESSAGES);
      if (stored >= MESSAGES) return items[0];
    }
    if (Date.now() > deadline) throw new Error('history did not store the messages within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

async function measure(path: string, body?: unknown): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    const { status, ms } = await request(path, body);
    if (status !== (body === undefined ? 200 : 204)) throw new Error(`${path} answered ${status}`);
    latencies.push(ms);
  }
  return latencies.sort((a, b) => a - b);
}

try {
  await app.waitUntilReady(60_000);
  const login = await fetch(`${app.url}/api/inbox/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify(ADMIN),
  });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}`);
  cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  csrfToken = ((await login.json()) as { csrfToken: string }).csrfToken;

  const seedStarted = performance.now();
  await seed();
  const conversation = await conversationOfCustomer();
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  process.stdout.write(
    `bench:inbox — ${MESSAGES} messages from one customer (seeded in ${fmt(seedSeconds, 0)} s through ` +
      `signed Twilio webhooks), then ${REQUESTS} sequential requests per route on the standalone process\n\n`,
  );
  const openPath = `/api/inbox/conversations/${conversation.id}`;
  // Warm-up: JIT, pools, caches.
  for (const path of ['/healthz', '/api/inbox/session', openPath]) {
    for (let i = 0; i < 50; i += 1) await get(path);
  }
  const health = await measure('/healthz');
  const session = await measure('/api/inbox/session');
  const timelinePath = `/api/inbox/customers/${conversation.customerId}/timeline`;
  for (let i = 0; i < 50; i += 1) await get(timelinePath);
  const timeline = await measure(timelinePath);
  // The open's other parts: history's conversation lookup (the one call that must come first) with
  // the inbox's read-position write, already at the conversation's last sequence.
  const lastSequence = (await get(openPath)).body as { conversation: { lastSequence: number } };
  const readBody = { upToSequence: lastSequence.conversation.lastSequence };
  const read = await measure(`${openPath}/read`, readBody);
  const open = await measure(openPath);
  const row = (name: string, l: number[]) => [
    name,
    fmt(percentile(l, 50), 2),
    fmt(percentile(l, 90), 2),
    fmt(percentile(l, 99), 2),
    fmt(l[l.length - 1] ?? Number.NaN, 1),
  ];
  process.stdout.write(
    formatTable([
      ['route', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      row('GET /healthz (baseline: trivial route)', health),
      row('GET /api/inbox/session (baseline: session lookup)', session),
      row('GET /api/inbox/customers/:id/timeline (first page of 50 alone)', timeline),
      row('POST /api/inbox/conversations/:id/read (conversation lookup + read position)', read),
      row(`GET /api/inbox/conversations/:id (customer with ${MESSAGES} messages)`, open),
    ]) + '\n',
  );
  const p99 = percentile(open, 99);
  process.stdout.write(`\nopening the conversation: p99 ${fmt(p99, 1)} ms (target ≤ 100 ms)\n`);
  if (p99 > 100) process.exitCode = 1;
} finally {
  await app.stop('SIGTERM');
  await database.drop();
}
