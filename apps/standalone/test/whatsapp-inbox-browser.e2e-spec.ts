import {
  type GraphApiServer,
  type StandaloneWithSms,
  conversationIdListed,
  launchChromium,
  openConversation,
  postMetaWebhook,
  seriousAccessibilityViolationsInBothSchemes,
  signInToInbox,
  startGraphApiServer,
  startStandaloneWithSms,
  waitFor,
  whatsAppInbound,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Browser } from 'playwright-core';

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
  let standalone: StandaloneWithSms;
  let db: pg.Pool;
  let graph: GraphApiServer;
  let browser: Browser;

  beforeAll(async () => {
    graph = await startGraphApiServer([WA_TOKEN]);
    graph.setTemplates(WABA_ID, [
      { name: 'order_update', language: 'en_US', body: 'Hello {{1}}, your order {{2}} has shipped.' },
    ]);
    standalone = await startStandaloneWithSms('standalone_whatsapp_browser', {
      env: {
        META_GRAPH_API_BASE_URL: graph.url,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
      },
    });
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await standalone?.close();
    await graph?.close();
  });

  it('shows a WhatsApp message live, replies, sends a template once the window closed, and joins the SMS', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInToInbox(page, standalone.app.url, standalone.admin);

    // The customer writes on WhatsApp: live in the inbox under their profile name, badged WhatsApp.
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    const inbound = whatsAppInbound({
      phoneNumberId: PHONE_NUMBER_ID,
      businessAccountId: WABA_ID,
      from: WA_ID,
      name: 'Inès Moreau',
      messages: [{ id: wamid, type: 'text', text: { body: 'Bonjour, où est ma commande ?' } }],
    });
    expect((await postMetaWebhook(standalone.app.url, inbound, APP_SECRET)).status).toBe(200);
    const conversationId = await conversationIdListed(page, 'Inès Moreau', { timeoutMs: 40_000 });
    await openConversation(page, conversationId);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    const first = timeline.locator('li.message', { hasText: 'Bonjour, où est ma commande ?' });
    await first.waitFor({ timeout: 30_000 });
    await first.locator('.badge', { hasText: 'WhatsApp' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'WhatsApp window open for 23 h' }).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // a WhatsApp conversation, its window

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
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // the window closed, a template
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
    await standalone.text(`+${WA_ID}`, 'Et par SMS ?');
    const sms = timeline.locator('li.message', { hasText: 'Et par SMS ?' });
    await sms.waitFor({ timeout: 30_000 });
    await sms.locator('.badge', { hasText: 'SMS' }).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]);
    await page.screenshot({ path: 'docs/screenshots/inbox-whatsapp-template.png' });
  }, 240_000);
});
