import {
  type StandaloneWithSms,
  addTeammate,
  conversationIdListed,
  launchChromium,
  openConversation,
  seriousAccessibilityViolations,
  seriousAccessibilityViolationsInBothSchemes,
  signInToInbox,
  signInToInboxApi,
  startStandaloneWithSms,
  waitFor,
} from '@switchboard/testing';
import { type Browser, type Page } from 'playwright-core';

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
  let standalone: StandaloneWithSms;
  let browser: Browser;

  beforeAll(async () => {
    standalone = await startStandaloneWithSms('standalone_inbox_x');
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await standalone?.close();
  });

  /** Invites through the admin API and accepts the link, as a new teammate would. */
  async function teammate(
    displayName: string,
    role: 'agent' | 'supervisor',
  ): Promise<{ id: string; email: string }> {
    const admin = await signInToInboxApi(standalone.app.url, standalone.admin);
    const email = `${displayName.toLowerCase().replace(/\W+/g, '.')}@example.test`;
    const id = await addTeammate(standalone.app.url, admin, { email, displayName, role, password: PASSWORD });
    return { id, email };
  }

  async function signIn(email: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 760 } })).newPage();
    await signInToInbox(page, standalone.app.url, { email, password: PASSWORD });
    return page;
  }

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
    await customer.goto(`${standalone.app.url}/demo?${signedIn.toString()}`);
    await customer.locator('button.l').click();
    const input = customer.getByRole('textbox', { name: 'Message' });
    await input.fill('Hello from the widget');
    await input.press('Enter');

    // Agent A sees it live, opens it, replies; the customer sees the reply.
    // Routing may assign it at any moment (Unassigned to Mine): found by id, opened by id.
    const widgetConversation = await conversationIdListed(agentA, 'Dana Customer', {
      tabs: ['Mine', 'Unassigned'],
    });
    await openConversation(agentA, widgetConversation);
    const timeline = agentA.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Hello from the widget').waitFor();
    await agentA.getByLabel('Reply', { exact: true }).fill('Hi Dana, agent A here.');
    await agentA.getByLabel('Reply', { exact: true }).press('Control+Enter');
    await timeline.getByText('Hi Dana, agent A here.').waitFor();
    await customer.getByText('Hi Dana, agent A here.').waitFor({ timeout: 30_000 });
    // A's typing reaches the customer (ParticipantActivityV1 on activity, shown by the widget).
    await agentA.getByLabel('Reply', { exact: true }).fill('One more thing');
    await customer.getByText('Agent A is typing…').waitFor({ timeout: 30_000 });
    expect(await seriousAccessibilityViolations(customer)).toEqual([]); // the widget, an agent typing
    await agentA.getByLabel('Reply', { exact: true }).fill('');

    // The same customer texts from the phone the site vouched for: history finds the customer by
    // that verified phone and continues their open conversation, so the text shows in the
    // timeline A has open, as part of it (not an earlier conversation), with its SMS badge.
    await standalone.text(CUSTOMER_PHONE, 'Texting you too');
    const text = timeline.locator('li.message', { hasText: 'Texting you too' });
    await text.waitFor({ timeout: 30_000 });
    await expectBadge(text, 'SMS');
    expect(await text.getAttribute('class')).not.toContain('earlier');
    await expectBadge(timeline.locator('li.message', { hasText: 'Hello from the widget' }), 'Web');
    expect(await agentA.evaluate(() => location.hash)).toBe(`#/c/${widgetConversation}`);
    expect(await seriousAccessibilityViolationsInBothSchemes(agentA)).toEqual([]); // web and SMS in one timeline

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
    expect(await seriousAccessibilityViolationsInBothSchemes(agentA)).toEqual([]); // a file that can't go by SMS
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
    await openConversation(agentA, widgetConversation);
    await agentA.getByLabel('Transfer').focus();
    await waitFor(() => agentA.locator(`#transfer option[value="agent:${b.id}"]`).count());
    await agentA.getByLabel('Transfer').selectOption(`agent:${b.id}`);
    await agentB.locator('a.conversation', { hasText: 'Dana Customer' }).waitFor({ timeout: 30_000 });
    await waitFor(async () => (await loadOfB.textContent()) !== before, {
      timeoutMs: 30_000,
      what: "B's load",
    });
    expect(await seriousAccessibilityViolationsInBothSchemes(boss)).toEqual([]); // the supervisor page
    expect(await seriousAccessibilityViolationsInBothSchemes(agentB)).toEqual([]); // transferred to B
  }, 240_000);
});

async function expectBadge(item: ReturnType<Page['locator']>, text: string): Promise<void> {
  await item.locator('.badge', { hasText: text }).waitFor({ timeout: 20_000 });
}
