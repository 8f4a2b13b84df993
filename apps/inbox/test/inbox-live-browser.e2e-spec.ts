import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import {
  type TcpProxy,
  launchChromium,
  seriousAccessibilityViolationsInBothSchemes,
  startTcpProxy,
  waitFor,
} from '@switchboard/testing';
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { TEST_PASSWORD, signedInUser } from './inbox-users.fixture.js';

interface Recorded {
  notifications: { title: string; body: string }[];
  chimes: number;
}

/**
 * Before the SPA runs: desktop notifications and the chime's oscillators are recorded in the page
 * (`window.__alerts`), as the browser would show and play them. Notifications count as allowed.
 */
function recordAlerts(): void {
  const recorded = { notifications: [] as { title: string; body: string }[], chimes: 0 };
  (window as unknown as { __alerts: typeof recorded }).__alerts = recorded;
  class RecordedNotification {
    static readonly permission = 'granted';
    static requestPermission() {
      return Promise.resolve('granted');
    }
    onclick: (() => void) | null = null;
    constructor(title: string, options: { body?: string } = {}) {
      recorded.notifications.push({ title, body: options.body ?? '' });
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: RecordedNotification, configurable: true });
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: [number?]) {
    recorded.chimes += 1;
    return start.apply(this, args);
  };
}

/**
 * The inbox's live connection and notifications in headless Chromium, against the inbox on the
 * real PostgreSQL and Kafka (history and routing doubles publishing on the real bus). The browser
 * reaches the inbox through a TCP proxy the test can stall, so a dropped network is a silent one.
 */
describe('inbox live connection and notifications in the browser', () => {
  let inbox: InboxTestApp;
  let proxy: TcpProxy;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!existsSync('dist/inbox-web/index.html'))
      throw new Error('run `npm run build` first (builds the SPA)');
    inbox = await startInboxTestApp('inbox_live_browser');
    proxy = await startTcpProxy(Number(new URL(inbox.url).port));
    base = `http://127.0.0.1:${proxy.port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await inbox?.close();
  });

  async function signIn(
    email: string,
    context?: BrowserContext,
  ): Promise<{ context: BrowserContext; page: Page }> {
    context ??= await browser.newContext({ viewport: { width: 1280, height: 760 }, baseURL: base });
    await context.addInitScript(recordAlerts);
    const page = await context.newPage();
    await page.goto(`${base}/inbox/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await connection(page).filter({ hasText: 'Live' }).waitFor();
    return { context, page };
  }

  const connection = (page: Page) => page.locator('.topbar .connection');
  const alerts = (page: Page) => page.evaluate(() => (window as unknown as { __alerts: Recorded }).__alerts);

  it('shows a silent drop, keeps the agent’s reply waiting, and is back within 2 s of the network', async () => {
    const a = await signedInUser(inbox, 'agent', { name: 'Agent Drop' });
    const customer = inbox.history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Ada', channels: ['web'] });
    const conversation = inbox.history.addConversation(customer, { channel: 'web' });
    await inbox.history.receive(conversation.id, 'Are you there?', 'web');
    await inbox.routing.transfer(DEFAULT_WORKSPACE_ID, conversation.id, { agentId: a.id });
    const { context, page } = await signIn(a.email);
    await page.goto(`${base}/inbox/#/c/${conversation.id}`);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Are you there?').waitFor();
    expect(await connection(page).getAttribute('role')).toBe('status');

    // The network goes away without a word: the heartbeat notices within its 5 s + 3 s.
    const stalledAt = Date.now();
    proxy.stall();
    await connection(page).filter({ hasText: 'Connection lost' }).waitFor({ timeout: 12_000 });
    const noticedMs = Date.now() - stalledAt;
    expect(noticedMs).toBeLessThan(10_000);

    // A reply written meanwhile waits, said so, and goes once the connection is back: once.
    await page.getByLabel('Reply', { exact: true }).fill('Yes, still here <b>Ada</b>');
    await page.getByRole('button', { name: 'Send' }).click();
    const waiting = page.getByRole('status', { name: 'Waiting to send' });
    await waiting.getByText('Yes, still here <b>Ada</b>').waitFor();
    await waiting.getByText('Waiting for the connection').waitFor();
    await connection(page).filter({ hasText: '1 send waiting' }).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // connection lost, a send waiting
    // Something happened while away: caught up on return.
    await inbox.history.receive(conversation.id, 'Hello??', 'web');

    const restoredAt = Date.now();
    proxy.restore();
    await connection(page)
      .filter({ hasText: /^Live$/ })
      .waitFor({ timeout: 10_000 });
    const reconnectMs = Date.now() - restoredAt;
    process.stderr.write(
      `silent drop noticed after ${noticedMs} ms; live again ${reconnectMs} ms after the network\n`,
    );
    // 2 s at most between attempts; the margin is for a loaded test machine's connect and hello.
    expect(reconnectMs).toBeLessThan(3_000);
    await timeline.getByText('Yes, still here <b>Ada</b>').waitFor();
    await timeline.getByText('Hello??').waitFor();
    await waiting.waitFor({ state: 'detached' });
    const sent = inbox.history.messages.filter((m) => m.text === 'Yes, still here <b>Ada</b>');
    expect(sent).toHaveLength(1);
    expect(await timeline.locator('b').count()).toBe(0);

    // The browser's own offline and online events: offline at once, live at once when back.
    await context.setOffline(true);
    await connection(page).filter({ hasText: 'Offline' }).waitFor({ timeout: 5_000 });
    const onlineAt = Date.now();
    await context.setOffline(false);
    await connection(page)
      .filter({ hasText: /^Live$/ })
      .waitFor({ timeout: 5_000 });
    expect(Date.now() - onlineAt).toBeLessThan(3_000);
    await context.close();
  }, 180_000);

  it('alerts one tab of two when a conversation is assigned, its customer writes, or a colleague mentions the agent', async () => {
    const b = await signedInUser(inbox, 'agent', { name: 'Bea Notified' });
    // A supervisor: agents write only in their own or unassigned conversations.
    const colleague = await signedInUser(inbox, 'supervisor', { name: 'Cal Colleague' });
    // The customer's first message is on the log before her tabs open: its frame cannot reach
    // them after the assignment's (another topic) and count as a message in one of hers.
    const customer = inbox.history.addCustomer(DEFAULT_WORKSPACE_ID, {
      name: 'Grace <i>H</i>',
      channels: ['web'],
    });
    const conversation = inbox.history.addConversation(customer, { channel: 'web' });
    await inbox.history.receive(conversation.id, 'Hello', 'web');
    const first = await signIn(b.email);
    const second = await first.context.newPage();
    await second.goto(`${base}/inbox/`);
    await connection(second).filter({ hasText: 'Live' }).waitFor();
    const tabs = [first.page, second];
    const total = async () => {
      const all = await Promise.all(tabs.map(alerts));
      return {
        notifications: all.flatMap((r) => r.notifications),
        chimes: all.reduce((sum, r) => sum + r.chimes, 0),
      };
    };

    // Assigned to her: one notification and one chime across both tabs.
    await inbox.routing.transfer(DEFAULT_WORKSPACE_ID, conversation.id, { agentId: b.id });
    await waitFor(async () => (await total()).notifications.length === 1, { what: 'the assignment alert' });
    expect((await total()).notifications[0]!.title).toBe('A conversation was assigned to you');
    for (const tab of tabs)
      await waitFor(async () => /^\(1\) /.test(await tab.title()), { what: 'the title count' });

    // Her customer writes: alerted once; the unread count reaches every tab's title.
    await inbox.history.receive(conversation.id, 'Are you there? <script>x()</script>', 'web');
    await waitFor(async () => (await total()).notifications.length === 2, { what: 'the message alert' });
    expect((await total()).notifications[1]).toEqual({
      title: 'New message from Grace <i>H</i>',
      body: 'Are you there? <script>x()</script>',
    });
    for (const tab of tabs)
      await waitFor(async () => /^\(2\) /.test(await tab.title()), { what: 'the title count' });

    // A colleague's note names her, completed from "@Bea" with Tab.
    const cal = await signIn(colleague.email);
    await cal.page.goto(`${base}/inbox/#/c/${conversation.id}`);
    await cal.page.getByLabel('Internal note').check();
    const note = cal.page.getByRole('textbox', { name: 'Internal note' });
    await note.fill('please look, @Bea');
    await cal.page.getByRole('list', { name: 'Mention a colleague' }).getByText('@Bea Notified').waitFor();
    await note.press('Tab');
    expect(await note.inputValue()).toBe('please look, @Bea Notified ');
    await note.press('Control+Enter');
    await waitFor(async () => (await total()).notifications.length === 3, { what: 'the mention alert' });
    expect((await total()).notifications[2]).toEqual({
      title: 'Cal Colleague mentioned you',
      body: 'please look, @Bea Notified',
    });
    // The author is not alerted by their own note, nor anyone by a note naming no one.
    expect((await alerts(cal.page)).notifications).toEqual([]);
    expect((await total()).chimes).toBe(3);

    // She turns customer messages off in one tab: the other tab follows, the server keeps it.
    await first.page.getByText('Notifications', { exact: true }).click();
    const onMessages = first.page.getByLabel('A customer writes in one of my conversations');
    expect(await seriousAccessibilityViolationsInBothSchemes(first.page)).toEqual([]); // notification settings
    await onMessages.uncheck();
    await waitFor(
      async () => (await b.client.get('/api/inbox/notification-settings')).body.onCustomerMessage === false,
    );
    // The other tab hears of it over the tabs' channel, a moment after the server has it.
    await second.getByText('Notifications', { exact: true }).click();
    const onMessagesThere = second.getByLabel('A customer writes in one of my conversations');
    await waitFor(async () => ((await onMessagesThere.isChecked()) ? null : true), {
      what: 'the other tab following the setting',
    });
    await inbox.history.receive(conversation.id, 'Still waiting', 'web');
    await first.page.waitForTimeout(1_500);
    expect((await total()).notifications).toHaveLength(3);

    // The alerting tab closes: the other takes over, and alerts a new assignment once.
    const holder = (await alerts(first.page)).notifications.length > 0 ? first.page : second;
    const other = holder === first.page ? second : first.page;
    tabs.splice(tabs.indexOf(holder), 1);
    await holder.close();
    const next = inbox.history.addConversation(customer, { channel: 'web' });
    await inbox.history.receive(next.id, 'Another thing', 'web');
    await inbox.routing.transfer(DEFAULT_WORKSPACE_ID, next.id, { agentId: b.id });
    await waitFor(async () => (await alerts(other)).notifications.length > 0, {
      what: 'the other tab alerting',
    });
    expect((await alerts(other)).notifications.map((n) => n.title)).toEqual([
      'A conversation was assigned to you',
    ]);

    // After a reload the setting is still off (kept on the server), keyboard-operable and labelled.
    await other.reload();
    await other.getByText('Notifications', { exact: true }).focus();
    await other.keyboard.press('Enter');
    await waitFor(
      async () => !(await other.getByLabel('A customer writes in one of my conversations').isChecked()),
    );
    expect(await other.getByLabel('Sound').isChecked()).toBe(true);
    await first.context.close();
    await cal.context.close();
  }, 180_000);

  it('snoozes a conversation out of the list until its customer writes, or until a time', async () => {
    const d = await signedInUser(inbox, 'agent', { name: 'Dee Snoozer' });
    const customer = inbox.history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Sleepy', channels: ['web'] });
    const conversation = inbox.history.addConversation(customer, { channel: 'web' });
    await inbox.history.receive(conversation.id, 'I will check and get back to you', 'web');
    await inbox.routing.transfer(DEFAULT_WORKSPACE_ID, conversation.id, { agentId: d.id });
    const { context, page } = await signIn(d.email);
    const row = page.locator(`.conversations a[data-conversation-id="${conversation.id}"]`);
    await row.click();
    await page
      .getByRole('list', { name: 'Timeline' })
      .getByText('I will check and get back to you')
      .waitFor();

    // Chosen with the keyboard: focus the Snooze control and pick "Until the customer writes".
    await page.getByLabel('Snooze', { exact: true }).selectOption('reply');
    await page.getByText('Snoozed until the customer writes').waitFor();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Snoozed' }).click();
    await row.waitFor();
    await page.getByRole('tab', { name: 'Mine' }).click();
    await row.waitFor({ state: 'detached' });

    // The customer writes: it is back in Mine, live.
    await inbox.history.receive(conversation.id, 'Found it, order 42', 'web');
    await row.waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Unsnooze' }).waitFor({ state: 'detached' });

    // Until a time: back by itself when it comes.
    await page.getByLabel('Snooze', { exact: true }).selectOption('custom');
    const soon = new Date(Date.now() + 65_000);
    const local = new Date(soon.getTime() - soon.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('Snooze until').fill(local);
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // snoozing until a time
    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.getByText(/^Snoozed until .* or a reply/).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // a snoozed conversation
    await row.waitFor({ state: 'detached' });
    const snooze = await d.client.get('/api/inbox/snoozes');
    const stored = (snooze.body as { items: { snooze: { until: string } }[] }).items[0]!.snooze.until;
    expect(await page.evaluate((until) => new Date(until).getMinutes(), stored)).toBe(
      Number(local.slice(14, 16)),
    );
    await page.getByRole('button', { name: 'Unsnooze' }).click();
    await row.waitFor();

    // Snoozed for a few seconds (from another tab, say): once the list is read again it is out,
    // and it comes back by itself at its time, with no event to prompt it.
    const until = new Date(Date.now() + 4_000).toISOString();
    expect(
      (await d.client.post(`/api/inbox/conversations/${conversation.id}/snooze`, { until })).status,
    ).toBe(201);
    await page.getByRole('tab', { name: 'Snoozed' }).click();
    await page.getByRole('tab', { name: 'Mine' }).click();
    await row.waitFor({ state: 'detached' });
    await row.waitFor({ timeout: 10_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
    await context.close();
  }, 180_000);
});
