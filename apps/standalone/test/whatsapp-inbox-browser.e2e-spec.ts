import {
  type AppProcess,
  type GraphApiServer,
  type TestDatabase,
  createTestDatabase,
  launchChromium,
  metaJson,
  signMetaBody,
  signedTwilioWebhook,
  startAppProcess,
  startGraphApiServer,
  twilioInboundSmsParams,
  waitFor,
  whatsAppInbound,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Browser, type Page } from 'playwright-core';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://switchboard.example.test';
const ADMIN = { email: 'owner@example.test', password: 'owner password 123' };
const APP_SECRET = randomBytes(16).toString('hex');
const WA_TOKEN = `EAAG${randomBytes(20).toString('hex')}`;
const PHONE_NUMBER_ID = '106540352242922';
const WABA_ID = '102290129340398';
const WA_ID = '14155550188';

/**
 * Issue 15's browser test, every service in the standalone process: a customer's WhatsApp message
 * (signed as Meta signs it) reaches the inbox live, the agent's reply reaches the Graph API; once
 * the 24-hour window has closed the composer offers only the number's approved templates, and the
 * one the agent fills goes out as a template; the same person's SMS then lands in the same
 * timeline.
 */
describe('standalone: WhatsApp in the inbox, in the browser', () => {
  let database: TestDatabase;
  let db: pg.Pool;
  let graph: GraphApiServer;
  let app: AppProcess;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('standalone_whatsapp_browser');
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    graph = await startGraphApiServer([WA_TOKEN]);
    graph.setTemplates(WABA_ID, [
      { name: 'order_update', language: 'en_US', body: 'Hello {{1}}, your order {{2}} has shipped.' },
    ]);
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
      META_GRAPH_API_BASE_URL: graph.url,
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    await app.waitUntilReady(120_000);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop('SIGTERM');
    await graph?.close();
    await db?.end();
    await database?.drop();
  });

  const postMeta = (body: unknown) => {
    const raw = metaJson(body);
    return fetch(`${app.url}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(raw, APP_SECRET) },
      body: raw,
    });
  };

  async function conversationShowing(page: Page, text: string): Promise<string> {
    const item = page.locator('a.conversation', { hasText: text });
    return waitFor(
      async () => {
        for (const tab of ['Mine', 'Unassigned', 'All']) {
          const button = page.getByRole('tab', { name: tab });
          if ((await button.count()) === 0) continue;
          await button.click();
          await page.waitForTimeout(500);
          const id = await item
            .first()
            .getAttribute('data-conversation-id', { timeout: 1_000 })
            .catch(() => null);
          if (id) return id;
        }
        return null;
      },
      { timeoutMs: 40_000, what: `${text} in the inbox` },
    );
  }

  it('shows a WhatsApp message live, replies, sends a template once the window closed, and joins the SMS', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${app.url}/inbox/`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor();

    // The customer writes on WhatsApp: live in the inbox under their profile name, badged WhatsApp.
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    const inbound = whatsAppInbound({
      phoneNumberId: PHONE_NUMBER_ID,
      businessAccountId: WABA_ID,
      from: WA_ID,
      name: 'Inès Moreau',
      messages: [{ id: wamid, type: 'text', text: { body: 'Bonjour, où est ma commande ?' } }],
    });
    expect((await postMeta(inbound)).status).toBe(200);
    const conversationId = await conversationShowing(page, 'Inès Moreau');
    await page.evaluate((id) => {
      location.hash = `#/c/${id}`;
    }, conversationId);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    const first = timeline.locator('li.message', { hasText: 'Bonjour, où est ma commande ?' });
    await first.waitFor({ timeout: 30_000 });
    await first.locator('.badge', { hasText: 'WhatsApp' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'WhatsApp window open for 23 h' }).waitFor();

    // The agent's reply reaches the Graph API as WhatsApp text.
    await page.getByLabel('Reply', { exact: true }).fill('Elle part aujourd’hui.');
    await page.getByLabel('Reply', { exact: true }).press('Control+Enter');
    await timeline.getByText('Elle part aujourd’hui.').waitFor();
    const reply = await waitFor(() => graph.sends().find((r) => r.json?.type === 'text'), {
      what: 'the reply at the Graph API',
      timeoutMs: 30_000,
    });
    expect(reply.json).toMatchObject({ to: WA_ID, text: { body: 'Elle part aujourd’hui.' } });

    // A day passes: the customer last wrote 25 hours ago, for history and for the channel.
    await db.query(
      `UPDATE history.messages SET received_at = received_at - interval '25 hours',
                                   created_at = created_at - interval '25 hours'
       WHERE direction = 'in' AND channel = 'whatsapp'`,
    );
    await db.query(
      `UPDATE channels.social_customer_windows SET last_inbound_at = last_inbound_at - interval '25 hours'`,
    );
    await page.reload();
    await timeline.locator('li.message', { hasText: 'Bonjour, où est ma commande ?' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'The WhatsApp window is closed' }).waitFor();

    // Only templates are offered: free text is gone; the agent fills one and sees what goes.
    expect(await page.getByLabel('Reply', { exact: true }).count()).toBe(0);
    await page.getByLabel('Template', { exact: true }).selectOption('order_update|en_US');
    await page.getByLabel('Template parameter 1').fill('Inès');
    await page.getByLabel('Template parameter 2').fill('A-17');
    await page
      .getByLabel('Template preview')
      .filter({ hasText: 'Hello Inès, your order A-17 has shipped.' })
      .waitFor();
    await page.getByRole('button', { name: 'Send template' }).click();
    await timeline.getByText('Hello Inès, your order A-17 has shipped.').waitFor();
    const template = await waitFor(() => graph.sends().find((r) => r.json?.type === 'template'), {
      what: 'the template at the Graph API',
      timeoutMs: 30_000,
    });
    expect(template.json).toMatchObject({
      to: WA_ID,
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Inès' },
              { type: 'text', text: 'A-17' },
            ],
          },
        ],
      },
    });
    expect(graph.sends().filter((r) => r.json?.type === 'template')).toHaveLength(1);

    // The same person texts from the same number: the same customer, the same timeline, badged SMS.
    const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, `+${WA_ID}`, { Body: 'Et par SMS ?' });
    const { headers, body } = signedTwilioWebhook(
      AUTH_TOKEN,
      `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
      params,
    );
    expect((await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', headers, body })).status).toBe(
      200,
    );
    const sms = timeline.locator('li.message', { hasText: 'Et par SMS ?' });
    await sms.waitFor({ timeout: 30_000 });
    await sms.locator('.badge', { hasText: 'SMS' }).waitFor();
    await page.screenshot({ path: 'docs/screenshots/inbox-whatsapp-template.png' });
  }, 240_000);
});
