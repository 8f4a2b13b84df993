import { ConversationAssignedV1, DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { launchChromium, seriousAccessibilityViolations, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { TEST_PASSWORD, signedInUser } from './inbox-users.fixture.js';
import { addDays } from '../web/src/reports/report-range.js';
import {
  type ReportsHarness,
  conversationEvents,
  publishScriptedDays,
  startReportsHarness,
} from './reports-harness.fixture.js';

/**
 * Supervisor → Reports in headless Chromium over the real reporting app (Kafka, PostgreSQL): the
 * chart library is fetched only when the page opens; range, granularity, filters and business
 * hours change the figures; the chart and the tables show them; each table downloads as CSV
 * with names that would be formulas guarded; no serious accessibility violation. The live view
 * beside it: today's service level per queue from the store, and a routing decision arriving on
 * the live feed with its explanation.
 */
describe('reports page in the browser', () => {
  let h: ReportsHarness;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync('dist/inbox-web/index.html'))
      throw new Error('run `npm run build` first (builds the SPA)');
    h = await startReportsHarness('inbox_reports_browser');
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('filters, charts, tables and downloads a report; uPlot is not in the first load', async () => {
    const supervisor = await signedInUser(h.inbox, 'supervisor', { name: 'Sam Supervisor' });
    // A display name a spreadsheet would run as a formula.
    const agent = await signedInUser(h.inbox, 'agent', { name: '=HYPERLINK("http://evil.test","x")' });
    const other = await signedInUser(h.inbox, 'agent', { name: 'Olive Other' });
    await h.inbox.routing.upsertQueue(DEFAULT_WORKSPACE_ID, { id: 'sales', name: 'Sales' });
    const vip = await h.inbox.history.createLabel(DEFAULT_WORKSPACE_ID, { name: 'VIP', colour: '#aa0000' });
    await h.inbox.history.createLabel(DEFAULT_WORKSPACE_ID, { name: 'Billing', colour: '#0055aa' });
    // The web chat at 18:00 on Monday: outside the business hours set below.
    await publishScriptedDays(h, DEFAULT_WORKSPACE_ID, agent.id, {
      webChatAt: '2026-03-02T18:00:00Z',
      webChatLabels: [vip.id],
    });
    // Today (UTC, the workspace's clock): a chat in Sales answered in 20 s, for the live view.
    const today = new Date(Math.max(Date.now() - 300_000, new Date().setUTCHours(0, 0, 1, 0)));
    await h.inbox.bus.emit(
      conversationEvents(DEFAULT_WORKSPACE_ID, {
        channel: 'web',
        queueId: 'sales',
        agentId: agent.id,
        openedAt: today.toISOString(),
        replyAfterSeconds: 20,
      }),
    );
    // Mondays and Tuesdays 09:00–17:00 UTC (the admin's settings hand the clock to reporting).
    const admin = await signedInUser(h.inbox, 'admin');
    const hours = [{ from: '09:00', to: '17:00' }];
    expect(
      (await admin.client.patch('/api/inbox/admin/workspace', { businessHours: { mon: hours, tue: hours } }))
        .status,
    ).toBe(200);
    const day = today.toISOString().slice(0, 10);
    await waitFor(
      async () =>
        (
          (
            await supervisor.client.get(
              `/api/inbox/reports?metrics=answered&dimension=total&from=${day}&to=${addDays(day, 1)}`,
            )
          ).body as { rows: { values: { answered: number } }[] }
        ).rows[0]?.values.answered === 1,
      { what: 'the reporting app to read today’s chat', timeoutMs: 60_000, intervalMs: 250 },
    );

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const scripts = new Map<string, string>();
    page.on('response', (response) => {
      if (response.url().endsWith('.js'))
        void response.text().then(
          (text) => scripts.set(response.url(), text),
          () => undefined,
        );
    });
    await page.goto(`${h.inbox.url}/inbox/`);
    await page.getByLabel('Email').fill(supervisor.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar').waitFor();
    await page.getByRole('link', { name: 'Supervisor' }).click();
    await page.getByRole('heading', { name: 'Service level today' }).waitFor();
    const slToday = page.getByRole('table', { name: 'Service level today' });
    expect(await slToday.getByRole('row', { name: /Sales/ }).textContent()).toContain('100% within 60s');
    await page.getByText('No routing decision since this page opened.').waitFor();
    // A decision made now arrives on the live feed with routing's explanation.
    await h.inbox.bus.emit(
      ConversationAssignedV1.create({
        workspaceId: DEFAULT_WORKSPACE_ID,
        payload: {
          conversationId: randomUUID(),
          queueId: 'sales',
          agentId: agent.id,
          mode: 'assign',
          assignedAt: new Date().toISOString(),
          explanation: {
            step: { index: 0, expression: 'billing >= 3' },
            reason: 'lowest occupancy among the eligible agents',
            candidates: [
              { agentId: agent.id, occupancy: 0, idleSinceMs: 1000, preferred: false },
              {
                agentId: other.id,
                occupancy: 1,
                idleSinceMs: 0,
                preferred: false,
                rejectedBecause: 'at capacity',
              },
            ],
          },
        },
      }),
    );
    const decisions = page.getByRole('list', { name: 'Recent routing decisions' });
    await decisions.getByText('lowest occupancy among the eligible agents').waitFor();
    expect(await decisions.textContent()).toContain('Step 1: billing >= 3');
    expect(await decisions.textContent()).toContain('Olive Other: at capacity');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    // uPlot's own class names are in its code: no script fetched so far carries them.
    const firstLoad = [...scripts.keys()];
    expect(firstLoad.length).toBeGreaterThan(0);
    expect(firstLoad.filter((url) => scripts.get(url)?.includes('u-legend'))).toEqual([]);

    await page.getByRole('link', { name: 'Reports →' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await waitFor(() => [...scripts.values()].some((text) => text.includes('u-legend')), {
      what: 'the chart library, fetched with the page',
    });
    const later = [...scripts.keys()].filter((url) => !firstLoad.includes(url));
    expect(later.some((url) => scripts.get(url)?.includes('u-legend'))).toBe(true);

    // The default range (the last seven days, by day) holds today's chat.
    await page.getByRole('table', { name: 'Figures by day' }).getByRole('rowheader', { name: day }).waitFor();
    // A range without conversations: the empty state.
    await page.getByLabel('First day', { exact: true }).fill('2026-01-05');
    await page.getByLabel('Last day', { exact: true }).fill('2026-01-06');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByTestId('report-empty').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Monday and Tuesday 2–3 March, by day; Enter in a field submits (keyboard).
    await page.getByLabel('First day', { exact: true }).fill('2026-03-02');
    await page.getByLabel('Last day', { exact: true }).fill('2026-03-03');
    await page.getByLabel('Granularity', { exact: true }).selectOption('day');
    await page.getByLabel('Last day', { exact: true }).press('Enter');
    const table = page.getByRole('table', { name: 'Figures by day' });
    const rows = table.locator('tbody tr');
    await waitFor(async () => (await rows.count()) === 2, { what: 'two days' });
    const cells = async (i: number) => (await rows.nth(i).locator('th, td').allTextContents()).slice(0, 3);
    expect(await cells(0)).toEqual(['2026-03-02', '2', '1m 20s']);
    expect(await cells(1)).toEqual(['2026-03-03', '1', '—']);
    await page.getByTestId('report-chart').locator('canvas').waitFor();
    expect(await page.getByRole('img', { name: /Conversations by day/ }).count()).toBe(1);
    await page.getByLabel('Chart', { exact: true }).selectOption('abandoned');
    await page.getByRole('img', { name: /Abandoned by day/ }).waitFor();

    // The periods' CSV: a BOM, the header, one line per day.
    const [periodsCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = await readFile(await periodsCsv.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      '\ufeffDay (UTC),Conversations,First response (s),Resolution time (s),Resolved,Replies,Reopens,Offered,Answered,Abandoned,Service level,Speed of answer (s),CSAT',
    );
    expect(lines.slice(1, 3).map((l) => l.split(',').slice(0, 3))).toEqual([
      ['2026-03-02', '2', '80'],
      ['2026-03-03', '1', ''],
    ]);

    // The agents' CSV: the agent's name guarded against formula injection.
    const [agentsCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download agents CSV' }).click(),
    ]);
    const agentLines = (await readFile(await agentsCsv.path(), 'utf8')).split('\r\n');
    expect(agentLines[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil\.test"",""x""\)",3,/);

    // Filters: the queue, then the channel; then business hours (18:00 on Monday is outside).
    await page.getByLabel('Queue', { exact: true }).selectOption('sales');
    await page.getByRole('button', { name: 'Show report' }).click();
    await waitFor(async () => (await cells(0))[2] === '40s', { what: 'the sales queue only' });
    await page.getByLabel('Queue', { exact: true }).selectOption('');
    await page.getByLabel('Channel', { exact: true }).selectOption('web');
    await page.getByRole('button', { name: 'Show report' }).click();
    await waitFor(async () => (await rows.count()) === 1 && (await cells(0))[2] === '2m 0s', {
      what: 'the web chat only',
    });
    await page.getByLabel('Channel', { exact: true }).selectOption('');
    // The label select lists the workspace's labels; VIP is on the web chat only.
    await page.getByLabel('Label', { exact: true }).selectOption({ label: 'VIP' });
    await page.getByRole('button', { name: 'Show report' }).click();
    await waitFor(async () => (await rows.count()) === 1 && (await cells(0))[2] === '2m 0s', {
      what: 'the VIP chat only',
    });
    await page.getByLabel('Label', { exact: true }).selectOption({ label: 'Billing' });
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByTestId('report-empty').filter({ hasText: 'with these filters' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Label', { exact: true }).selectOption('');
    await page.getByLabel('Business hours', { exact: true }).check();
    await page.getByRole('button', { name: 'Show report' }).click();
    await waitFor(async () => (await rows.count()) === 2 && (await cells(0))[1] === '1', {
      what: 'business hours only',
    });
    // The agent filter keeps that agent's figures, and the conversations ever assigned to them.
    await page.getByLabel('Agent', { exact: true }).selectOption(agent.id);
    await page.getByRole('button', { name: 'Show report' }).click();
    const agentRows = page.getByRole('table', { name: 'Figures by agent' }).locator('tbody tr');
    await waitFor(async () => (await agentRows.count()) === 1, { what: 'one agent' });
    expect(await cells(0)).toEqual(['2026-03-02', '1', '40s']);
    await page.getByLabel('Agent', { exact: true }).selectOption(other.id);
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByTestId('report-empty').waitFor();
    await page.getByLabel('Agent', { exact: true }).selectOption(agent.id);
    await page.getByRole('button', { name: 'Show report' }).click();
    await waitFor(async () => (await rows.count()) === 2, { what: 'the agent’s two days' });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // A range reporting does not answer is explained, not sent.
    await page.getByLabel('First day', { exact: true }).fill('2026-03-04');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByRole('alert').filter({ hasText: 'The last day is before the first.' }).waitFor();
    await context.close();
  });
});
