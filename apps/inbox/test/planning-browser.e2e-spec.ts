import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { launchChromium, seriousAccessibilityViolations } from '@switchboard/testing';
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { TEST_PASSWORD, signedInUser } from './inbox-users.fixture.js';

/**
 * Supervisor → Planning in headless Chromium, over the routing double (whose plan is a stand-in:
 * the planner is tested in routing): from the supervisor page to a plan of a queue's recorded week.
 */
describe('planning page in the browser', () => {
  let inbox: InboxTestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync('dist/inbox-web/index.html'))
      throw new Error('run `npm run build` first (builds the SPA)');
    inbox = await startInboxTestApp('inbox_planning_browser');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await inbox?.close();
  });

  it('plans a queue’s recorded week, and one typed by hand against the agents scheduled', async () => {
    const supervisor = await signedInUser(inbox, 'supervisor', { name: 'Sam Supervisor' });
    await inbox.routing.upsertQueue(DEFAULT_WORKSPACE_ID, { id: 'billing', name: 'Billing' });
    const db = new pg.Client({ connectionString: inbox.database.url });
    await db.connect();
    await db.query(`UPDATE inbox.workspaces SET time_zone = 'America/New_York' WHERE id = $1`, [
      DEFAULT_WORKSPACE_ID,
    ]);
    await db.end();
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const page = await context.newPage();
    await page.goto(`${inbox.url}/inbox/`);
    await page.getByLabel('Email').fill(supervisor.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor();
    await page.getByRole('link', { name: 'Supervisor' }).click();
    await page.getByRole('link', { name: 'Planning →' }).click();
    await page.getByRole('heading', { name: 'Staffing plan' }).waitFor();

    await page.getByLabel('Queue').selectOption('billing');
    await page.getByRole('button', { name: 'Use last 4 weeks' }).click();
    await page.getByText('conversations recorded from').waitFor();
    expect((await page.getByLabel('Arrivals per hour').inputValue()).split(',')).toHaveLength(168);
    // On the workspace's clock, and with the curve its own chats gave (the double's 1, 1.3).
    const summary = await page.getByTestId('history-summary').textContent();
    expect(summary).toContain('hours of the week in America/New_York');
    expect(summary).toContain('Concurrency curve fitted from');
    expect(await page.getByLabel('Concurrency curve').inputValue()).toBe('1, 1.3');
    await page.getByRole('button', { name: 'Plan' }).click();
    const rows = page.getByRole('table', { name: 'Staffing by hour' }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(168);
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // the staffing plan
    expect(await rows.nth(9).locator('td').first().textContent()).toBe('Mon 09:00');
    expect(await page.locator('p[data-method]').getAttribute('data-method')).toBe('simulation');
    expect(await page.locator('p[data-method]').textContent()).toContain('Hours in America/New_York');
    await page.getByRole('columnheader', { name: 'Hour (America/New_York)' }).waitFor();
    // Each hour says how it was planned; the queue picked is planned with its own routing.
    expect(await rows.nth(9).locator('td[data-method]').getAttribute('data-method')).toBe('simulation');
    expect(await rows.nth(9).locator('td[data-method]').textContent()).toBe('Simulated (routing core)');
    expect(inbox.routing.plans.at(-1)!.input.queueId).toBe('billing');

    // By hand: three hours, one of them short of agents, one chat each, the queue's routing left out.
    await page.getByLabel("Plan with its routing steps and agents' skills").uncheck();
    await page.getByLabel('Chats per agent').fill('1');
    await page.getByLabel('Arrivals per hour').fill('5, 60, 120');
    await page.getByLabel('Agents scheduled').fill('-, 6, 3');
    await page.getByRole('button', { name: 'Plan' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('table[aria-label="Staffing by hour"] tbody tr').length === 3,
    );
    const cells = async (i: number) => rows.nth(i).locator('td').allTextContents();
    expect((await cells(1)).slice(0, 4)).toEqual(['01:00', 'Erlang C', '60', '6']);
    expect(inbox.routing.plans.at(-1)!.input.queueId).toBeUndefined();
    expect(await rows.nth(2).getAttribute('class')).toBe('short');
    await context.close();
  });
});
