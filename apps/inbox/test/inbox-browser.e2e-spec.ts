import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { launchChromium, seriousAccessibilityViolationsInBothSchemes, waitFor } from '@switchboard/testing';
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { TEST_PASSWORD, signedInUser } from './inbox-users.fixture.js';

const SCREENSHOTS = 'docs/screenshots';

/**
 * The SPA in headless Chromium against the inbox app on the real PostgreSQL and Kafka, with the
 * history and routing doubles standing in for the services until they merge: a customer's web
 * message reaches agent A live, A replies, the customer's SMS lands in the same timeline, A
 * transfers to B, who sees it live, and the supervisor sees B's load change.
 */
describe('inbox in the browser', () => {
  let inbox: InboxTestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync('dist/inbox-web/index.html'))
      throw new Error('run `npm run build` first (builds the SPA)');
    inbox = await startInboxTestApp('inbox_browser');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await inbox?.close();
  });

  async function signIn(
    email: string,
    password = TEST_PASSWORD,
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const page = await context.newPage();
    await page.goto(`${inbox.url}/inbox/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor();
    return { context, page };
  }

  const started = Date.now();
  const step = (what: string) => {
    if (process.env.TEST_STEPS) process.stderr.write(`${Date.now() - started} ms: ${what}\n`);
  };

  it('follows a customer from the widget to SMS, through a transfer, with the supervisor watching', async () => {
    const a = await signedInUser(inbox, 'agent', { name: 'Agent A' });
    const b = await signedInUser(inbox, 'agent', { name: 'Agent B' });
    const supervisor = await signedInUser(inbox, 'supervisor', { name: 'Sam Supervisor' });
    await inbox.routing.upsertQueue(DEFAULT_WORKSPACE_ID, {
      name: 'Billing',
      steps: [{ expression: 'billing >= 3', expiresAfterSeconds: 60 }],
    });
    await inbox.routing.upsertQueue(DEFAULT_WORKSPACE_ID, { name: 'General' });

    step('// The sign-in page');
    // The sign-in page, and a wrong password's clear error.
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const login = await context.newPage();
    await login.goto(`${inbox.url}/inbox/`);
    await login.getByLabel('Email').fill(a.email);
    await login.getByLabel('Password').fill('not the password');
    await login.getByRole('button', { name: 'Sign in' }).click();
    await login.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(login)).toEqual([]); // sign-in, its error
    await login.screenshot({ path: `${SCREENSHOTS}/inbox-sign-in.png` });
    await context.close();

    step('const agentA = await signIn');
    const agentA = await signIn(a.email);
    const agentB = await signIn(b.email);
    const boss = await signIn(supervisor.email);
    for (const { page } of [agentA, agentB, boss]) {
      await waitFor(() => page.evaluate(() => document.querySelector('.topbar') !== null));
    }
    await agentA.page.getByRole('tab', { name: 'Unassigned' }).click();
    await boss.page.getByRole('link', { name: 'Supervisor' }).click();
    const loadOfB = boss.page.locator(`tr[data-agent-id="${b.id}"] td.load`);
    await loadOfB.filter({ hasText: '0 / 5' }).waitFor();

    step('// The customer writes');
    // The customer writes from the web widget (history appends and publishes, as it will).
    const customer = inbox.history.addCustomer(DEFAULT_WORKSPACE_ID, {
      name: 'Grace Hopper',
      channels: ['web', 'sms'],
      attributes: { plan: 'enterprise' },
      identities: [
        {
          id: crypto.randomUUID(),
          kind: 'web_visitor',
          value: 'v-1',
          verified: false,
          optedOut: false,
          createdAt: '',
        },
        {
          id: crypto.randomUUID(),
          kind: 'phone',
          value: '+14155550123',
          verified: true,
          optedOut: false,
          createdAt: '',
        },
      ],
    });
    const conversation = inbox.history.addConversation(customer, { channel: 'web' });
    await inbox.history.receive(
      conversation.id,
      'Hi, my invoice is wrong <img src=x onerror="window.pwned=1">',
      'web',
    );

    step('// Agent A sees it');
    // Agent A sees it arrive without reloading, unread, with its channel.
    const item = agentA.page.locator(`a[data-conversation-id="${conversation.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    await expectText(item.locator('.unread-count'), '1');
    await expectText(item.locator('.badge'), 'Web');
    expect(await seriousAccessibilityViolationsInBothSchemes(agentA.page)).toEqual([]); // the list, unread
    await item.click();
    const timeline = agentA.page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Hi, my invoice is wrong <img src=x onerror="window.pwned=1">').waitFor();
    expect(await agentA.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await timeline.locator('img').count()).toBe(0);

    step('// A replies');
    // A replies (Ctrl+Enter) on the customer's last channel.
    await agentA.page.getByLabel('Reply', { exact: true }).fill('Sorry about that, Grace. Fixing it now.');
    await agentA.page.getByLabel('Reply', { exact: true }).press('Control+Enter');
    await timeline.getByText('Sorry about that, Grace. Fixing it now.').waitFor();
    const reply = inbox.history.messages.find((m) => m.text === 'Sorry about that, Grace. Fixing it now.');
    expect(reply).toMatchObject({ direction: 'out', channel: 'web', sender: { type: 'agent', id: a.id } });

    step('// The same customer texts');
    // The same customer texts by SMS: it lands in the same timeline, badged SMS.
    await inbox.history.receive(conversation.id, 'Texting you as well', 'sms');
    const sms = timeline.locator('li.message', { hasText: 'Texting you as well' });
    await sms.waitFor({ timeout: 20_000 });
    await expectText(sms.locator('.badge'), 'SMS');
    expect(await seriousAccessibilityViolationsInBothSchemes(agentA.page)).toEqual([]); // a conversation
    await agentA.page.screenshot({ path: `${SCREENSHOTS}/inbox-conversation.png` });

    step('// A takes it');
    // A takes it, then transfers it to B; B sees it in Mine, live; the supervisor sees B's load change.
    inbox.history.conversations.get(conversation.id)!.assigneeId = a.id;
    await agentB.page.getByRole('tab', { name: 'Mine' }).click();
    await agentA.page.getByLabel('Transfer').focus();
    await waitFor(() =>
      agentA.page
        .locator('#transfer option')
        .count()
        .then((n) => n > 3),
    );
    await agentA.page.getByLabel('Transfer').selectOption(`agent:${b.id}`);
    await agentB.page.locator(`a[data-conversation-id="${conversation.id}"]`).waitFor({ timeout: 20_000 });
    await loadOfB.filter({ hasText: '1 / 5' }).waitFor({ timeout: 20_000 });
    expect(await seriousAccessibilityViolationsInBothSchemes(boss.page)).toEqual([]); // the supervisor page
    await boss.page.screenshot({ path: `${SCREENSHOTS}/inbox-supervisor.png` });

    step('// Admin screen.');
    // Admin screen.
    const admin = await signIn(inbox.adminEmail, inbox.adminPassword);
    await admin.page.getByRole('link', { name: 'Admin' }).click();
    await admin.page.getByRole('table', { name: 'Users' }).waitFor();
    await admin.page.getByLabel('Invite email').fill('new.agent@example.test');
    await admin.page.getByLabel('Invite name').fill('New Agent');
    await admin.page.getByRole('button', { name: 'Create invite link' }).click();
    await admin.page.locator('.invite-link code').waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(admin.page)).toEqual([]); // Admin, an invite link
    await admin.page.screenshot({ path: `${SCREENSHOTS}/inbox-admin.png`, fullPage: true });

    for (const session of [agentA, agentB, boss, admin]) await session.context.close();
    // Four browser contexts on a shared 2-core machine: generous, but bounded.
  }, 180_000);

  it('accepts an invite link and signs the new agent in', async () => {
    const admin = await signedInUser(inbox, 'admin');
    const created = await admin.client.post('/api/inbox/invites', {
      email: 'linked@example.test',
      displayName: 'Linked Agent',
      role: 'agent',
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(created.body.link as string);
    await page.getByText('You were invited as').waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // accepting an invite
    await page.getByLabel('Choose a password').fill('a long enough password');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.locator('.topbar .who').filter({ hasText: 'Linked Agent · agent' }).waitFor();
    await context.close();
  });
});

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 20_000 });
}
