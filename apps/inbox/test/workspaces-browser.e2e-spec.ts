import { launchChromium, seriousAccessibilityViolations } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { InboxClient } from './inbox-client.fixture.js';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';

const SCREENSHOTS = 'docs/screenshots';
const PASSWORD = 'a long enough password';

/**
 * Workspaces in headless Chromium against the inbox on the real PostgreSQL and Kafka (issue 17):
 * the sign-in's workspace picker for an email and password that open two unlinked workspaces, an
 * invite joined while signed in (switched there, both workspaces in the menu), and the operator's
 * screen — shown to the operator only, workspace names as text.
 */
describe('workspaces in the browser', () => {
  let inbox: InboxTestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync('dist/inbox-web/index.html'))
      throw new Error('run `npm run build` first (builds the SPA)');
    inbox = await startInboxTestApp('inbox_workspaces_browser', {
      env: { TRUSTED_PROXIES: '127.0.0.1,::1' },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await inbox?.close();
  });

  let signUps = 0;
  const signUp = async (workspaceName: string, email: string) => {
    const client = new InboxClient(inbox.url);
    client.headers = { 'x-forwarded-for': `198.18.1.${++signUps}` };
    const response = await client.post('/api/inbox/signup', {
      workspaceName,
      displayName: 'Pat',
      email,
      password: PASSWORD,
    });
    expect(response.status).toBe(201);
    client.csrfToken = response.body.csrfToken as string;
    return { client, workspaceId: response.body.workspace.id as string };
  };

  const openSignIn = async (email: string, password: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const page = await context.newPage();
    await page.goto(`${inbox.url}/inbox/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  };
  const currentWorkspace = (page: Page) =>
    page.evaluate(async () => {
      const response = await fetch('/api/inbox/session');
      return ((await response.json()) as { user: { workspaceId: string } }).user.workspaceId;
    });

  it('asks which workspace when the password opens two, and joins a third by invite while signed in', async () => {
    const email = `pat-${randomUUID().slice(0, 6)}@bakery.example`;
    await signUp('Bakery North', email);
    const south = await signUp('Bakery South', email);
    const host = await signUp('Flour Mill', `mill-${randomUUID().slice(0, 6)}@mill.example`);

    // A wrong password: the usual error, no workspace named.
    const wrong = await openSignIn(email, 'not the password at all');
    await wrong.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    expect(await wrong.getByRole('heading', { name: 'Choose a workspace' }).count()).toBe(0);
    await wrong.context().close();

    const page = await openSignIn(email, PASSWORD);
    await page.getByRole('heading', { name: 'Choose a workspace' }).waitFor();
    const choices = page.locator('.workspace-choices button');
    expect(await choices.allTextContents()).toEqual(['Bakery North', 'Bakery South']);
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in-choose-workspace.png` });
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // choosing a workspace
    await page.getByRole('button', { name: 'Bakery South' }).click();
    await page.locator('.topbar').waitFor();
    expect(await currentWorkspace(page)).toBe(south.workspaceId);

    // Invited to the mill with the same email: joined as themself, switched there.
    const invite = await host.client.post('/api/inbox/invites', { email, displayName: 'Pat', role: 'agent' });
    await page.goto(`${inbox.url}${invite.body.path as string}`);
    await page.getByRole('button', { name: 'Join Flour Mill' }).click();
    await page.waitForFunction(() => location.hash === '#/');
    await page.locator('.topbar').waitFor();
    expect(await currentWorkspace(page)).toBe(host.workspaceId);
    const menu = page.getByLabel('Workspace');
    expect(await menu.locator('option').allTextContents()).toEqual([
      'Bakery South',
      'Flour Mill',
      'New workspace…',
    ]);
    expect(await page.getByRole('link', { name: 'Operator' }).count()).toBe(0);
    await page.context().close();
  });

  it("shows the operator every workspace's counts, names as text, and nobody else", async () => {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const shop = await signUp(hostile, `shop-${randomUUID().slice(0, 6)}@shop.example`);
    inbox.history.addConversation(inbox.history.addCustomer(shop.workspaceId));

    const page = await openSignIn(inbox.adminEmail, inbox.adminPassword);
    await page.getByRole('link', { name: 'Operator' }).click();
    const table = page.getByRole('table', { name: 'Workspaces' });
    const row = table.locator('tr', { hasText: hostile });
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual([
      hostile,
      '1',
      '0',
      '1',
      expect.any(String),
      expect.stringMatching(/^shop-/),
    ]);
    expect(await table.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: `${SCREENSHOTS}/operator-workspaces.png` });
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // the operator's workspaces
    await page.context().close();

    // The shop's admin: no link, and the route shows them their inbox, not the list.
    const admin = await openSignIn(await shopEmail(shop.client), PASSWORD);
    await admin.locator('.topbar').waitFor();
    expect(await admin.getByRole('link', { name: 'Operator' }).count()).toBe(0);
    await admin.goto(`${inbox.url}/inbox/#/operator`);
    await admin.locator('.topbar').waitFor();
    expect(await admin.getByRole('table', { name: 'Workspaces' }).count()).toBe(0);
    await admin.context().close();
  });

  const shopEmail = async (client: InboxClient) =>
    (await client.get('/api/inbox/session')).body.user.email as string;
});
