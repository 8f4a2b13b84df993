import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_WORKSPACE_ID, type InboundMessageReceivedV1 } from '@switchboard/contracts';
import { configureLogging } from '@switchboard/platform';
import { launchChromium, seriousAccessibilityViolations, waitFor } from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser } from 'playwright-core';
import { type WebTestApp, startWebTestApp } from './web-test-app.js';

/** A Luhn-valid Visa test number that appears nowhere else in the code base. */
const PAN = '4000056655665556';
const TYPED = '4000 0566 5566 5556';

/**
 * The secure card form end to end (ADR 0082): headless Chromium on /demo, the channel on the real
 * broker and PostgreSQL, a loopback tokenization endpoint that answers as a payment provider does
 * (CORS preflight, then a token). The card number must reach that endpoint and nothing else: not
 * the widget's socket, not any table of the database, not any event on any topic, not any log line.
 */
describe('widget card form in a browser', () => {
  let t: WebTestApp;
  let browser: Browser;
  let provider: Server;
  const tokenized: { origin: string | undefined; body: Record<string, unknown> }[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    configureLogging({ destination: { write: (line: string) => void logLines.push(line) } });
    provider = createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      void readJson(req).then((body) => {
        tokenized.push({ origin: req.headers.origin, body });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ token: `tok_${tokenized.length}_fake`, last4: String(body.number).slice(-4) }),
        );
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    t = await startWebTestApp('web_card_browser', {
      workspaceId: DEFAULT_WORKSPACE_ID,
      env: { LOG_LEVEL: 'debug' },
    });
    await t.settings.update(DEFAULT_WORKSPACE_ID, {
      appearance: {
        cardTokenizationUrl: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1/tokens`,
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    provider?.closeAllConnections();
    await new Promise((resolve) => provider?.close(resolve));
    configureLogging({ destination: process.stdout });
  });

  it('sends the card number to the tokenization endpoint only, and the transcript shows its last four', async () => {
    const page = await browser.newPage();
    const framesSent: string[] = [];
    page.on('websocket', (ws) => ws.on('framesent', (frame) => framesSent.push(String(frame.payload))));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${t.url}/demo`);
    await page.locator('button.l').click();
    await page.getByRole('button', { name: 'Start chat' }).click();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('I would like to pay invoice 77');
    await input.press('Enter');
    const first = await waitFor(
      () =>
        t.inbound.find(
          (e): e is InboundMessageReceivedV1 =>
            e.type === 'inbound.message.received' && e.payload.text === 'I would like to pay invoice 77',
        ),
      { what: 'first message' },
    );
    const visitor = { kind: 'web_visitor' as const, address: first.payload.sender.address };

    await t.reply(visitor, 'Sure, please enter your card below.', { form: { kind: 'card' } });
    await page.getByText('Sure, please enter your card below.').waitFor();
    await page.getByLabel('Card number').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // the card form
    // A mistyped number is caught by its checksum before anything leaves the page.
    await page.getByLabel('Card number').fill('4000 0566 5566 5557');
    await page.getByLabel('Expiry (MM/YY)').fill('12/34');
    await page.getByLabel('Security code').fill('123');
    await page.getByRole('button', { name: 'Send card details' }).click();
    await page.getByText('Check the card number, expiry and security code.').waitFor();
    expect(tokenized).toHaveLength(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // its error

    await page.getByLabel('Card number').fill(TYPED);
    await page.getByRole('button', { name: 'Send card details' }).click();
    await page.getByText('Card •••• 5556 submitted').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // the summary in its place
    expect(tokenized).toEqual([
      { origin: t.url, body: { number: PAN, expMonth: 12, expYear: 2034, cvc: '123' } },
    ]);
    expect(await page.getByLabel('Card number').count()).toBe(0);
    const submitted = await waitFor(
      () =>
        t.inbound.find(
          (e): e is InboundMessageReceivedV1 =>
            e.type === 'inbound.message.received' && e.payload.text === 'Card •••• 5556 submitted',
        ),
      { what: 'the card summary' },
    );
    expect(submitted.payload.hints).toMatchObject({
      cardToken: 'tok_1_fake',
      cardLast4: '5556',
      cardBrand: 'visa',
    });

    // A reload shows the summary, not the form again.
    await page.reload();
    await page.getByText('Card •••• 5556 submitted').waitFor();
    expect(await page.getByLabel('Card number').count()).toBe(0);
    expect(pageErrors).toEqual([]);

    // Nowhere else: the socket, every table of every schema, every event on every topic, every log line.
    const secrets = [PAN, TYPED, '0566 5566', '05665566'];
    const leaks = (where: string, texts: readonly string[]) =>
      texts
        .filter((text) => secrets.some((s) => text.includes(s)))
        .map((text) => `${where}: ${text.slice(0, 200)}`);
    expect(framesSent.length).toBeGreaterThan(0);
    const rows = await everyRow(t);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => row.includes('Card •••• 5556 submitted'))).toBe(true);
    const events = await everyEvent(t);
    expect(events.some((e) => e.includes('tok_1_fake'))).toBe(true);
    expect(logLines.length).toBeGreaterThan(0);
    expect([
      ...leaks('socket', framesSent),
      ...leaks('database', rows),
      ...leaks('event log', events),
      ...leaks('logs', logLines),
    ]).toEqual([]);
  });
});

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

/** Every row of every table outside PostgreSQL's own schemas, as text. */
async function everyRow(t: WebTestApp): Promise<string[]> {
  const tables = await t.db.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const rows: string[] = [];
  for (const { schema, name } of tables.rows) {
    const result = await t.db.query<{ row: string }>(
      `SELECT t::text AS row FROM "${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}" t`,
    );
    rows.push(...result.rows.map((r) => `${schema}.${name} ${r.row}`));
  }
  return rows;
}

/** Every message on every topic of this app, from the beginning, as text. */
async function everyEvent(t: WebTestApp): Promise<string[]> {
  const kafka = new Kafka({
    clientId: 'card-leak-probe',
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(t.topicPrefix));
  let expected = 0;
  for (const topic of topics)
    for (const p of await admin.fetchTopicOffsets(topic)) expected += Number(p.high) - Number(p.low);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `${t.topicPrefix}card-leak-probe` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: ({ topic, message }) =>
      Promise.resolve(
        void seen.push(`${topic} ${message.key?.toString() ?? ''} ${message.value?.toString() ?? ''}`),
      ),
  });
  await waitFor(() => seen.length >= expected, {
    what: `${expected} messages on ${topics.length} topics`,
    timeoutMs: 60_000,
  });
  await consumer.disconnect();
  return seen;
}
