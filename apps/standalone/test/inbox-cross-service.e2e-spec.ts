import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  signedTwilioWebhook,
  startAppProcess,
  twilioInboundSmsParams,
  waitFor,
  launchChromium,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { type Browser, type Page } from 'playwright-core';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://switchboard.example.test';
const ADMIN = { email: 'owner@example.test', password: 'owner password 123' };
const PASSWORD = 'agent password 123';

const CUSTOMER_PHONE = '+14155550199';

/**
 * Every service in the standalone process, in headless Chromium: a customer signed in on the shop
 * (/demo, the site's HMAC over user id, email and phone) writes from the web widget, agent A sees
 * it live in the inbox and replies (the customer sees A typing, then the reply); the same
 * customer then texts the Twilio number from the phone the site vouched for (a signed webhook),
 * and A sees the text in the timeline A has open, with its SMS badge: one customer, one open
 * conversation across channels (ADR 0011). A transfers the conversation to agent B, who sees it
 * live; the supervisor sees B's load change.
 * Needs history, routing and the web channel (issues 3–5) beside the inbox.
 */
describe('standalone: widget and SMS to the inbox, transfer, supervision', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('standalone_inbox_x');
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    await app.waitUntilReady(90_000);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop('SIGTERM');
    await database?.drop();
  });

  /** Invites through the admin API and accepts the link, as a new teammate would. */
  async function teammate(
    name: string,
    role: 'agent' | 'supervisor',
  ): Promise<{ id: string; email: string }> {
    const admin = await fetch(`${app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify(ADMIN),
    });
    const { csrfToken } = (await admin.json()) as { csrfToken: string };
    const cookie = admin.headers.getSetCookie()[0]!.split(';')[0]!;
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.test`;
    const invite = await fetch(`${app.url}/api/inbox/invites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url, cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ email, displayName: name, role }),
    });
    const { path } = (await invite.json()) as { path: string };
    const accepted = await fetch(`${app.url}/api/inbox/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ token: path.split('/invite/')[1], password: PASSWORD }),
    });
    expect(accepted.status).toBe(200);
    const { user } = (await accepted.json()) as { user: { id: string } };
    return { id: user.id, email };
  }

  async function signIn(email: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 760 } })).newPage();
    await page.goto(`${app.url}/inbox/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor();
    return page;
  }

  /**
   * The id of the conversation showing this text, in one of the tabs. Routing may assign it at any
   * moment (moving it from Unassigned to Mine), so callers open it by id rather than click a row
   * that may move.
   */
  async function findConversation(page: Page, text: string, tabs = ['Mine', 'Unassigned']): Promise<string> {
    const item = page.locator('a.conversation', { hasText: text });
    return waitFor(
      async () => {
        for (const tab of tabs) {
          await page.getByRole('tab', { name: tab }).click();
          await page.waitForTimeout(500);
          const id = await item
            .first()
            .getAttribute('data-conversation-id', { timeout: 1_000 })
            .catch(() => null);
          if (id) return id;
        }
        return null;
      },
      { timeoutMs: 30_000, what: `${text} in the inbox` },
    );
  }

  const open = (page: Page, conversationId: string) =>
    page.evaluate((id) => {
      location.hash = `#/c/${id}`;
    }, conversationId);

  it('follows a customer from the widget into the inbox and back, then SMS, transfer and load', async () => {
    const a = await teammate('Agent A', 'agent');
    const b = await teammate('Agent B', 'agent');
    const supervisor = await teammate('Sam Supervisor', 'supervisor');
    const agentA = await signIn(a.email);
    const boss = await signIn(supervisor.email);
    await boss.getByRole('link', { name: 'Supervisor' }).click();

    // The customer, signed in on the shop's demo page: the page's tag carries the HMAC over the
    // user id, email and phone, so the phone is a verified identity of this customer.
    const customer = await (await browser.newContext()).newPage();
    const signedIn = new URLSearchParams({
      user: 'Dana Customer',
      email: 'dana@example.com',
      phone: CUSTOMER_PHONE,
    });
    await customer.goto(`${app.url}/demo?${signedIn.toString()}`);
    await customer.locator('button.l').click();
    const input = customer.getByRole('textbox', { name: 'Message' });
    await input.fill('Hello from the widget');
    await input.press('Enter');

    // Agent A sees it live, opens it, replies; the customer sees the reply.
    const widgetConversation = await findConversation(agentA, 'Dana Customer');
    await open(agentA, widgetConversation);
    const timeline = agentA.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Hello from the widget').waitFor();
    await agentA.getByLabel('Reply', { exact: true }).fill('Hi Dana, agent A here.');
    await agentA.getByLabel('Reply', { exact: true }).press('Control+Enter');
    await timeline.getByText('Hi Dana, agent A here.').waitFor();
    await customer.getByText('Hi Dana, agent A here.').waitFor({ timeout: 30_000 });
    // A's typing reaches the customer (ParticipantActivityV1 on activity, shown by the widget).
    await agentA.getByLabel('Reply', { exact: true }).fill('One more thing');
    await customer.getByText('Agent A is typing…').waitFor({ timeout: 30_000 });
    await agentA.getByLabel('Reply', { exact: true }).fill('');

    // The same customer texts from the phone the site vouched for: history finds the customer by
    // that verified phone and continues their open conversation, so the text shows in the
    // timeline A has open, as part of it (not an earlier conversation), with its SMS badge.
    const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER_PHONE, {
      Body: 'Texting you too',
    });
    const { headers, body } = signedTwilioWebhook(
      AUTH_TOKEN,
      `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
      params,
    );
    expect((await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', headers, body })).status).toBe(
      200,
    );
    const text = timeline.locator('li.message', { hasText: 'Texting you too' });
    await text.waitFor({ timeout: 30_000 });
    await expectBadge(text, 'SMS');
    expect(await text.getAttribute('class')).not.toContain('earlier');
    await expectBadge(timeline.locator('li.message', { hasText: 'Hello from the widget' }), 'Web');
    expect(await agentA.evaluate(() => location.hash)).toBe(`#/c/${widgetConversation}`);

    // A reply now goes by SMS, the customer's last channel: a WebP picture is refused before it is
    // sent (MMS carries JPEG, PNG, GIF and PDF), and goes once the agent picks the web channel.
    await agentA.getByLabel('Attach files').setInputFiles({
      name: 'sticker.webp',
      mimeType: 'image/webp',
      buffer: Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'),
    });
    await agentA.getByRole('list', { name: 'Attached files' }).getByText('sticker.webp').waitFor();
    await agentA.getByRole('status').getByText("sticker.webp can't go by SMS").waitFor();
    expect(await agentA.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await agentA.getByLabel('Reply channel').selectOption('web');
    await waitFor(async () => !(await agentA.getByRole('button', { name: 'Send' }).isDisabled()), {
      what: 'Send enabled on the web channel',
    });
    await agentA.getByRole('button', { name: 'Remove sticker.webp' }).click();
    await agentA.getByLabel('Reply channel').selectOption('');

    // A transfers the widget conversation to B: B sees it live; the supervisor sees B's load change.
    const agentB = await signIn(b.email);
    await agentB.getByRole('tab', { name: 'Mine' }).click();
    const loadOfB = boss.locator(`tr[data-agent-id="${b.id}"] td.load`);
    await loadOfB.waitFor({ timeout: 30_000 });
    const before = await loadOfB.textContent();
    await open(agentA, widgetConversation);
    await agentA.getByLabel('Transfer').focus();
    await waitFor(() => agentA.locator(`#transfer option[value="agent:${b.id}"]`).count());
    await agentA.getByLabel('Transfer').selectOption(`agent:${b.id}`);
    await agentB.locator('a.conversation', { hasText: 'Dana Customer' }).waitFor({ timeout: 30_000 });
    await waitFor(async () => (await loadOfB.textContent()) !== before, {
      timeoutMs: 30_000,
      what: "B's load",
    });
  }, 240_000);
});

async function expectBadge(item: ReturnType<Page['locator']>, text: string): Promise<void> {
  await item.locator('.badge', { hasText: text }).waitFor({ timeout: 20_000 });
}
