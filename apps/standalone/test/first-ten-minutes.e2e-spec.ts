import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  launchChromium,
  localSwitchboardClients,
  rpcFailure,
  seriousAccessibilityViolations,
  seriousAccessibilityViolationsInBothSchemes,
  startAppProcess,
  unary,
  waitFor,
} from '@switchboard/testing';
import { status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { type Browser, type Page } from 'playwright-core';

const ADMIN = { email: 'owner@example.test', password: 'owner password 123' };
const SCREENSHOTS = 'docs/screenshots';

/**
 * The first ten minutes of a newcomer (issue 17), in the standalone process and headless Chromium:
 * the start banner names the inbox and the demo page, `/` leads to the inbox, the admin who signs
 * in is online at once and sees what to do next (empty states, a setup checklist), the supervisor
 * page lists them and the default queue, a customer writes from /demo (the attach button an icon,
 * not an emoji) and gets the admin's reply, and an API key created in Admin → API keys works on
 * the gRPC port at once, its last use shown; a second workspace, created from the top bar and
 * switched to, shows nothing of the first. Screenshots go to docs/screenshots/first-*.png.
 */
describe('standalone: the first ten minutes', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('standalone_first_minutes');
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'info',
    });
    await app.waitUntilReady(90_000);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop('SIGTERM');
    await database?.drop();
  });

  async function newPage(): Promise<Page> {
    return (await browser.newContext({ viewport: { width: 1280, height: 760 } })).newPage();
  }

  it('starts, leads to the inbox, and takes an admin from sign-in to a reply and an API key', async () => {
    // 1. The banner says where to go.
    const origin = new URL(app.url);
    const base = `http://localhost:${origin.port}`;
    await waitFor(() => app.output().includes('Switchboard is running'), { what: 'the start banner' });
    expect(app.output()).toContain(`Inbox         ${base}/inbox/`);
    expect(app.output()).toContain(`Demo page     ${base}/demo`);

    // 2. `/` takes a person to the inbox.
    const root = await fetch(`${app.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/inbox/');
    const admin = await newPage();
    await admin.goto(`${app.url}/`);
    await admin.getByLabel('Email').waitFor();
    expect(new URL(admin.url()).pathname).toBe('/inbox/');
    await admin.screenshot({ path: `${SCREENSHOTS}/first-sign-in.png` });
    expect(await seriousAccessibilityViolationsInBothSchemes(admin)).toEqual([]); // sign-in
    await admin.goto(`${app.url}/inbox/#/signup`);
    await admin.getByRole('button', { name: 'Create workspace' }).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(admin)).toEqual([]); // sign-up
    await admin.goto(`${app.url}/inbox/#/`);

    // 5. Signed in: online without choosing, empty states that say what to do, the checklist.
    await admin.getByLabel('Email').fill(ADMIN.email);
    await admin.getByLabel('Password').fill(ADMIN.password);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.locator('.topbar').waitFor();
    await waitFor(async () => (await admin.getByLabel('Presence').inputValue()) === 'online', {
      what: 'the admin online after signing in',
      timeoutMs: 20_000,
    });
    await admin.getByText('Nothing assigned to you yet').waitFor();
    await admin.getByRole('tab', { name: 'All' }).click();
    await admin.getByText('No conversations yet — open /demo and write as a customer.').waitFor();
    expect(await admin.getByRole('link', { name: 'open /demo' }).getAttribute('href')).toBe('/demo');
    const checklist = admin.getByRole('complementary', { name: 'Getting started' });
    for (const step of ['Connect a channel', 'Invite an agent', 'Set up a queue'])
      await checklist.getByRole('link', { name: new RegExp(step) }).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(admin)).toEqual([]); // empty states, the checklist

    // 9. The channel filter shows "All channels" whole: as wide as its widest option.
    const fits = await admin.locator('select[aria-label="Channel"]').evaluate((select) => {
      const clone = select.cloneNode(true) as HTMLSelectElement;
      clone.style.cssText = 'width:max-content;min-width:0;flex:none;position:absolute;visibility:hidden';
      select.parentElement!.append(clone);
      const needed = clone.getBoundingClientRect().width;
      clone.remove();
      return { width: select.getBoundingClientRect().width, needed };
    });
    expect(fits.width).toBeGreaterThanOrEqual(fits.needed - 0.5);
    await admin.getByRole('tab', { name: 'Mine' }).click();
    await admin.screenshot({ path: `${SCREENSHOTS}/first-inbox.png` });

    // 7. The supervisor page lists the admin (an agent too) and the default queue.
    await admin.getByRole('link', { name: 'Supervisor' }).click();
    const agents = admin.getByRole('table', { name: 'Agents' });
    await agents.getByRole('cell', { name: 'Admin', exact: true }).waitFor({ timeout: 20_000 });
    await agents.getByText('online').waitFor();
    await admin.getByRole('table', { name: 'Queues' }).getByRole('cell', { name: 'Default' }).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(admin)).toEqual([]); // the supervisor page
    await admin.screenshot({ path: `${SCREENSHOTS}/first-supervisor.png` });

    // A customer writes from the demo page; the attach button is an inline icon, not an emoji.
    const customer = await newPage();
    await customer.goto(`${app.url}/demo`);
    await customer.locator('button.l').click();
    // The default pre-chat form, then the composer.
    await customer.getByLabel('Name').fill('Casey Customer');
    await customer.getByLabel('Email').fill('casey@example.com');
    expect(await seriousAccessibilityViolations(customer)).toEqual([]); // the widget's pre-chat form
    await customer.getByRole('button', { name: 'Start chat' }).click();
    const attach = customer.getByRole('button', { name: 'Attach a file' });
    expect(
      await attach.evaluate((button) => ({
        icon: button.querySelector('svg path') !== null,
        text: button.textContent?.trim() ?? '',
      })),
    ).toEqual({ icon: true, text: '' });
    const input = customer.getByRole('textbox', { name: 'Message' });
    await input.fill('Hello, is my order on its way?');
    await input.press('Enter');

    // The admin, online, is assigned it and replies.
    await admin.getByRole('link', { name: 'Inbox' }).click();
    await admin.getByRole('tab', { name: 'Mine' }).click();
    const row = admin.locator('a.conversation').first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const conversationId = new URL(admin.url()).hash.split('/')[2] ?? '';
    const timeline = admin.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Hello, is my order on its way?').waitFor();
    await admin.getByLabel('Reply', { exact: true }).fill('Hi! It left the warehouse this morning.');
    await admin.getByLabel('Reply', { exact: true }).press('Control+Enter');
    await customer.getByText('Hi! It left the warehouse this morning.').waitFor({ timeout: 30_000 });
    await customer.screenshot({ path: `${SCREENSHOTS}/first-demo-widget.png` });
    expect(await seriousAccessibilityViolations(customer)).toEqual([]);
    expect(await seriousAccessibilityViolationsInBothSchemes(admin)).toEqual([]); // a conversation, replied to
    await admin.screenshot({ path: `${SCREENSHOTS}/first-reply.png` });

    // 4. Admin → API keys while everything runs: created with a scope and a rate, shown once.
    await admin.getByRole('link', { name: 'Admin' }).click();
    const keys = admin.getByRole('region', { name: 'API keys' });
    await keys.getByLabel('Key name').fill('CRM sync');
    await keys.getByLabel('Key scope').selectOption('read');
    await keys.getByLabel('Rate limit (calls per second)').fill('10');
    await keys.getByRole('button', { name: 'Create key' }).click();
    const key = (await keys.getByLabel('New API key').textContent())?.trim() ?? '';
    expect(key).toMatch(/^sbk_/);
    const keyRow = keys.getByRole('row', { name: /CRM sync/ });
    await keyRow.getByText('10/s').waitFor();
    expect(await keyRow.locator('.last-used').textContent()).toBe('never');
    expect(await seriousAccessibilityViolationsInBothSchemes(admin)).toEqual([]); // Admin, a new API key
    await admin.screenshot({ path: `${SCREENSHOTS}/first-api-key.png`, fullPage: true });

    // The key works on the gRPC port at once; its last use shows in the inbox.
    const clients = localSwitchboardClients(Number(app.grpcAddress.split(':')[1]), key);
    try {
      const listed = await unary<typeof clients.queues, 'ListQueues', object, { queues: unknown[] }>(
        clients.queues,
        'ListQueues',
        {},
      );
      expect(listed.queues).toEqual([]);
      const conversation = await unary<
        typeof clients.conversations,
        'GetConversation',
        object,
        { id: string }
      >(clients.conversations, 'GetConversation', { conversationId });
      expect(conversation.id).toBe(conversationId);
    } finally {
      clients.close();
    }
    await waitFor(
      async () => {
        await admin.reload();
        const text = await admin
          .getByRole('region', { name: 'API keys' })
          .getByRole('row', { name: /CRM sync/ })
          .locator('.last-used')
          .textContent();
        return text !== 'never' ? text : null;
      },
      { what: 'the key’s last use in the inbox', timeoutMs: 20_000 },
    );
    // Revoked from the same screen.
    await admin.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await admin
      .getByRole('region', { name: 'API keys' })
      .getByRole('row', { name: /CRM sync/ })
      .getByText(/^revoked/)
      .waitFor();

    // Workspaces: the admin creates a second one from the top bar, lands in it, and sees nothing
    // of the first; switching back shows the first again.
    admin.once('dialog', (dialog) => void dialog.accept('Second Shop'));
    await admin.getByRole('combobox', { name: 'Workspace', exact: true }).selectOption('new');
    await admin.waitForURL(/#\/$/);
    // Signed in there after the reload: the switcher shows it (until then, the old page may).
    await waitFor(
      async () =>
        (
          (await admin
            .getByRole('combobox', { name: 'Workspace', exact: true })
            .locator('option:checked')
            .textContent()
            .catch(() => '')) ?? ''
        ).trim() === 'Second Shop',
      { what: 'the second workspace selected', timeoutMs: 20_000 },
    );
    await admin.getByRole('tab', { name: 'All' }).click();
    await admin.getByText('No conversations yet — open /demo and write as a customer.').waitFor();
    await admin.getByRole('link', { name: 'Admin' }).click();
    const settings = admin.getByRole('region', { name: 'Workspace', exact: true });
    await settings.getByLabel('Workspace timezone').fill('Europe/Paris');
    await settings.getByRole('button', { name: 'Save workspace' }).click();
    await settings.getByText('Saved.').waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(admin)).toEqual([]); // a second workspace's Admin
    // Its API keys are its own: the first workspace's revoked key is not listed here.
    await admin.getByRole('region', { name: 'API keys' }).getByText('No keys yet').waitFor();
    // A key of this workspace can't read the first workspace's conversation: not found.
    const secondKeys = admin.getByRole('region', { name: 'API keys' });
    await secondKeys.getByLabel('Key name').fill('Second shop sync');
    await secondKeys.getByRole('button', { name: 'Create key' }).click();
    const secondKey = (await secondKeys.getByLabel('New API key').textContent())?.trim() ?? '';
    const secondClients = localSwitchboardClients(Number(app.grpcAddress.split(':')[1]), secondKey);
    try {
      const refused = await rpcFailure(
        unary(secondClients.conversations, 'GetConversation', { conversationId }),
      );
      expect(refused.code).toBe(status.NOT_FOUND);
    } finally {
      secondClients.close();
    }
    await admin.screenshot({ path: `${SCREENSHOTS}/first-second-workspace.png` });
    const firstWorkspace = await admin
      .getByRole('combobox', { name: 'Workspace', exact: true })
      .locator('option', { hasText: 'Default workspace' })
      .getAttribute('value');
    await admin.getByRole('combobox', { name: 'Workspace', exact: true }).selectOption(firstWorkspace ?? '');
    await admin.getByRole('link', { name: 'Inbox' }).click();
    await admin.getByRole('tab', { name: 'All' }).click();
    await admin.locator('a.conversation').first().waitFor({ timeout: 20_000 });
  }, 240_000);
});
