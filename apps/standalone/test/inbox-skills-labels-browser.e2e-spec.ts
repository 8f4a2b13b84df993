import {
  type StandaloneWithSms,
  launchChromium,
  seriousAccessibilityViolations,
  startStandaloneWithSms,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';

const CUSTOMER = '+14155550193';

interface Agent {
  agentId: string;
  skills: { skill: string; proficiency: number }[];
  defaultChannelCapacity: number;
  channelCapacity: Record<string, number>;
  queueIds: string[];
}

/**
 * Issue 18's admin forms and empty states, every service in the standalone process, in headless
 * Chromium: an agent's skills edited as a form (a skill typed or picked from the workspace's known
 * ones, a level 1–5, errors beside the controls before anything is sent, the API's own refusal
 * beside the control it names, the agent's other routing settings kept); the labels admin's and
 * the search's empty states; and a contact's labels on their profile, put on and taken off there
 * and shown live, without a reload, when another tab changes them (`customer.labels.changed`,
 * ADR 0117).
 */
describe('standalone: agents’ skills form, empty states, a contact’s labels live', () => {
  let standalone: StandaloneWithSms;
  let db: pg.Pool;
  let browser: Browser;
  let customerId: string;
  let conversationId: string;

  beforeAll(async () => {
    standalone = await startStandaloneWithSms('standalone_skills_labels', { readyTimeoutMs: 90_000 });
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
    browser = await launchChromium();
    await standalone.text(CUSTOMER, 'My invoice is wrong');
    await waitFor(
      async () =>
        (
          await db.query<{ customer_id: string; id: string }>(
            `SELECT c.id, c.customer_id FROM history.conversations c
             JOIN history.identities i ON i.customer_id = c.customer_id WHERE i.value = $1`,
            [CUSTOMER],
          )
        ).rows[0] ?? null,
      { timeoutMs: 60_000, what: 'the conversation stored' },
    ).then((row) => {
      customerId = row.customer_id;
      conversationId = row.id;
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await standalone?.close();
  });

  async function signIn(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${standalone.app.url}/inbox/`);
    await page.getByLabel('Email').fill(standalone.admin.email);
    await page.getByLabel('Password').fill(standalone.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.topbar .connection', { hasText: 'Live' }).waitFor({ timeout: 20_000 });
    return page;
  }

  /** The inbox API from the page's session (its cookie and CSRF token), as the SPA calls it. */
  const inboxApi = <T>(page: Page, method: string, path: string, body?: unknown): Promise<T> =>
    page.evaluate(
      async ({ method, path, body }) => {
        const session = (await (await fetch('/api/inbox/session')).json()) as { csrfToken: string };
        const response = await fetch(`/api/inbox${path}`, {
          method,
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
        return (response.status === 204 ? null : await response.json()) as T;
      },
      { method, path, body },
    );

  /** Set in the page: still there later means the page was never reloaded. */
  const mark = (page: Page) =>
    page.evaluate(() => ((window as unknown as { __kept: boolean }).__kept = true));
  const kept = (page: Page) =>
    page.evaluate(() => (window as unknown as { __kept?: boolean }).__kept === true);

  it('edits an agent’s skills as a form: errors beside the controls, the API’s refusal shown, other settings kept', async () => {
    const page = await signIn();
    const me = (await inboxApi<{ user: { id: string; displayName: string } }>(page, 'GET', '/session')).user;
    const agentOf = async () =>
      (await inboxApi<{ agents: Agent[] }>(page, 'GET', '/agents')).agents.find((a) => a.agentId === me.id);
    // Settings the form does not show, and a queue asking for a skill no agent has yet.
    await inboxApi(page, 'PUT', `/admin/agents/${me.id}`, {
      skills: [{ skill: 'tech', proficiency: 2 }],
      channelCapacity: { sms: 2 },
      defaultChannelCapacity: 5,
    });
    await inboxApi(page, 'PUT', '/admin/queues', {
      name: 'French',
      steps: [{ expression: 'french >= 3', expiresAfterSeconds: null }],
    });

    await page.goto(`${standalone.app.url}/inbox/#/admin`);
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByText('tech 2 · 5 per channel').waitFor();
    await users.getByRole('button', { name: `Edit skills of ${me.displayName}` }).click();
    const form = page.locator('form.agent-skills-form');
    await form.getByRole('heading', { name: `Skills and capacity of ${me.displayName}` }).waitFor();
    expect(await form.getByLabel('Skill 1', { exact: true }).inputValue()).toBe('tech');
    expect(await form.getByLabel('Level of skill 1').inputValue()).toBe('2');
    // Known skills to pick from: every agent's and every one a queue's steps ask for.
    expect(
      await form
        .locator('datalist#agent-known-skills option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(['french', 'tech']);

    // Three problems: a bad name, a skill listed twice, a capacity out of range.
    await form.getByRole('button', { name: 'Add a skill' }).click();
    await form.getByLabel('Skill 2', { exact: true }).fill('Bad skill!');
    await form.getByRole('button', { name: 'Add a skill' }).click();
    await form.getByLabel('Skill 3', { exact: true }).fill('Tech');
    await form.getByLabel('Conversations at once per channel').fill('500');
    await form.getByRole('button', { name: 'Save skills' }).click();
    await form.getByRole('alert').filter({ hasText: '3 things to fix' }).waitFor();
    await form.getByText('A skill is a lower-case name').waitFor();
    await form.getByText('tech is listed already: keep one.').waitFor();
    await form.getByText('Capacity is a whole number of conversations from 0 to 100.').waitFor();
    for (const label of ['Skill 2', 'Skill 3', 'Conversations at once per channel'])
      expect(await form.getByLabel(label, { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Skill 1', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    // The error is the control's description for a screen reader.
    const described = await form.getByLabel('Skill 3', { exact: true }).getAttribute('aria-describedby');
    expect(await page.locator(`[id="${described}"]`).textContent()).toBe('tech is listed already: keep one.');
    expect((await agentOf())?.skills).toEqual([{ skill: 'tech', proficiency: 2 }]); // nothing was sent
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Fixed: billing 4 (typed), french 3 (a known skill), the duplicate removed, capacity 3.
    await form.getByLabel('Skill 2', { exact: true }).fill('billing');
    await form.getByLabel('Level of skill 2').selectOption('4');
    await form.getByLabel('Skill 3', { exact: true }).fill('french');
    await form.getByRole('button', { name: 'Remove skill 1' }).click();
    expect(await form.getByLabel('Skill 1', { exact: true }).inputValue()).toBe('billing');
    await form.getByLabel('Conversations at once per channel').fill('3');
    await form.getByRole('button', { name: 'Save skills' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved the skills of ${me.displayName}.` })
      .waitFor();
    expect(await agentOf()).toMatchObject({
      skills: [
        { skill: 'billing', proficiency: 4 },
        { skill: 'french', proficiency: 3 },
      ],
      defaultChannelCapacity: 3,
      channelCapacity: { sms: 2 }, // kept: routing replaces an agent whole
    });
    await users.getByText('billing 4, french 3 · 3 per channel').waitFor();
    expect(await form.count()).toBe(0);

    // The API's own refusal (here of a request altered on its way) shows beside the control it names.
    await page.route('**/api/inbox/admin/agents/*', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as { skills: { proficiency: number }[] };
      body.skills[0]!.proficiency = 7;
      await route.continue({ postData: JSON.stringify(body) });
    });
    await users.getByRole('button', { name: `Edit skills of ${me.displayName}` }).click();
    await form.getByRole('button', { name: 'Save skills' }).click();
    const refusal = form.locator('li.condition').first().getByRole('alert').filter({ hasText: /5/ });
    await refusal.waitFor();
    await form.getByRole('alert').filter({ hasText: 'One thing to fix' }).waitFor();
    await page.unroute('**/api/inbox/admin/agents/*');
    expect((await agentOf())?.skills[0]).toEqual({ skill: 'billing', proficiency: 4 });
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect(await form.count()).toBe(0);
    await page.context().close();
  }, 120_000);

  it('shows the labels admin’s and the search’s empty states, with what to do next', async () => {
    const page = await signIn();
    await page.goto(`${standalone.app.url}/inbox/#/admin`);
    const labels = page.getByRole('region', { name: 'Labels' });
    await labels.getByText('No labels yet').waitFor();
    for (const name of ['Billing', 'VIP']) {
      await page.getByLabel('Label name').fill(name);
      await page.getByRole('button', { name: 'Add label' }).click();
      await page.locator('.labels-admin .label-chip', { hasText: name }).waitFor();
    }
    expect(await labels.getByText('No labels yet').count()).toBe(0);

    // Search (from the inbox): nothing at all, then nothing with a filter — clearing the filters
    // finds the message.
    await page.goto(`${standalone.app.url}/inbox/#/`);
    const search = page.getByLabel('Search messages and customers');
    await search.fill('zebra');
    await page.getByText('Nothing matches “zebra”').waitFor();
    await page.getByText('Messages match by whole words').waitFor();
    await search.fill('invoice');
    await page.locator('.search-hit .snippet', { hasText: 'My invoice is wrong' }).waitFor();
    await page.getByLabel('Search status').selectOption({ label: 'Resolved' });
    await page.getByText('Nothing matches “invoice”').waitFor();
    await page.getByText('No message or customer matches with these filters.').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Clear the filters' }).click();
    await page.locator('.search-hit .snippet', { hasText: 'My invoice is wrong' }).waitFor();
    expect(await page.getByLabel('Search status').inputValue()).toBe('');
    expect(await page.getByText('Nothing matches').count()).toBe(0);
    await page.context().close();
  }, 120_000);

  it('shows a contact’s labels on their profile, edits them there, and follows another tab’s changes live', async () => {
    const profile = await signIn();
    // The labels the test above made (made here when this test runs alone).
    const listed = async () =>
      (await inboxApi<{ labels: { id: string; name: string }[] }>(profile, 'GET', '/labels')).labels;
    for (const name of ['Billing', 'VIP'])
      if (!(await listed()).some((l) => l.name === name))
        await inboxApi(profile, 'POST', '/labels', { name, colour: '#3b82f6' });
    const all = await listed();
    const id = (name: string) => all.find((l) => l.name === name)!.id;
    await profile.goto(`${standalone.app.url}/inbox/#/contacts/${customerId}`);
    const onProfile = profile.getByLabel('contact labels');
    await profile.getByText('No labels on this contact.').waitFor();
    await mark(profile);

    // Another tab labels the customer from the conversation: the profile shows it without a reload.
    const inbox = await signIn();
    await inbox.goto(`${standalone.app.url}/inbox/#/c/${conversationId}`);
    await inbox.getByLabel('Add a label to the customer').selectOption({ label: 'VIP' });
    await onProfile.locator('.label-chip', { hasText: 'VIP' }).waitFor({ timeout: 10_000 });
    expect(await profile.getByText('No labels on this contact.').count()).toBe(0);

    // Added and taken off on the profile: stored, and live in the other tab's conversation.
    await profile.getByLabel('Add a label to the contact').selectOption({ label: 'Billing' });
    const inPane = inbox.getByLabel('customer labels');
    await inPane.locator('.label-chip', { hasText: 'Billing' }).waitFor({ timeout: 10_000 });
    await profile.getByRole('button', { name: 'Remove label VIP' }).click();
    await inPane.locator('.label-chip', { hasText: 'VIP' }).waitFor({ state: 'detached', timeout: 10_000 });
    await onProfile.locator('.label-chip', { hasText: 'VIP' }).waitFor({ state: 'detached' });
    const stored = await inboxApi<{ customer: { labelIds: string[] } }>(
      profile,
      'GET',
      `/customers/${customerId}`,
    );
    expect(stored.customer.labelIds).toEqual([id('Billing')]);

    // Taken off in the other tab: gone from the profile, still without a reload.
    await inbox.getByRole('button', { name: 'Remove label Billing' }).click();
    await profile.getByText('No labels on this contact.').waitFor({ timeout: 10_000 });
    expect(await onProfile.locator('.label-chip').count()).toBe(0);
    expect(await kept(profile)).toBe(true);
    await profile.context().close();
    await inbox.context().close();
  }, 120_000);
});
