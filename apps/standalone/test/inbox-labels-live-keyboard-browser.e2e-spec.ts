import {
  type StandaloneWithSms,
  launchChromium,
  seriousAccessibilityViolationsInBothSchemes,
  signInToInbox,
  startStandaloneWithSms,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';

const CUSTOMER = '+14155550191';
const OTHER_CUSTOMER = '+14155550192';

/**
 * Issue 18's live labels and keyboard use, every service in the standalone process, in headless
 * Chromium: a label put on a conversation or its customer in one tab shows in another signed-in
 * tab without a reload (history's outbox → the log → the inbox's live feed, ADR 0117), and is gone
 * there when taken off; then a whole flow driven by the keyboard only — open with j, label with l,
 * reply with r, snooze with s, resolve with e, the list with arrows, the shortcuts' list with ?.
 */
describe('standalone: labels live in every tab, and the inbox by keyboard', () => {
  let standalone: StandaloneWithSms;
  let db: pg.Pool;
  let browser: Browser;
  let conversationId: string;

  beforeAll(async () => {
    standalone = await startStandaloneWithSms('standalone_labels_keyboard');
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
    browser = await launchChromium();
    await standalone.text(CUSTOMER, 'My invoice is wrong');
    await standalone.text(OTHER_CUSTOMER, 'Where is my parcel?');
    await waitFor(
      async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM history.conversations')).rows[0]!.n ===
        2,
      { timeoutMs: 60_000, what: 'both conversations stored' },
    );
    conversationId = (
      await db.query<{ id: string }>(
        `SELECT c.id FROM history.conversations c JOIN history.identities i ON i.customer_id = c.customer_id
         WHERE i.value = $1`,
        [CUSTOMER],
      )
    ).rows[0]!.id;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await standalone?.close();
  });

  async function signIn(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInToInbox(page, standalone.app.url, standalone.admin);
    await page.locator('.topbar .connection', { hasText: 'Live' }).waitFor({ timeout: 20_000 });
    return page;
  }

  /** Set in the page: still there later means the page was never reloaded. */
  const mark = (page: Page) =>
    page.evaluate(() => ((window as unknown as { __kept: boolean }).__kept = true));
  const kept = (page: Page) =>
    page.evaluate(() => (window as unknown as { __kept?: boolean }).__kept === true);

  it('shows a label put on or taken off in one tab in the other at once, without a reload', async () => {
    const first = await signIn();
    await first.goto(`${standalone.app.url}/inbox/#/admin`);
    for (const name of ['Billing', 'VIP']) {
      await first.getByLabel('Label name').fill(name);
      await first.getByRole('button', { name: 'Add label' }).click();
      await first.locator('.labels-admin .label-chip', { hasText: name }).waitFor();
    }
    expect(await seriousAccessibilityViolationsInBothSchemes(first)).toEqual([]); // Admin → Labels
    // The second tab has the list and the conversation open before anything is labelled.
    const second = await signIn();
    await second.goto(`${standalone.app.url}/inbox/#/c/${conversationId}`);
    await second.getByRole('tab', { name: 'All' }).click();
    const row = second.locator(`a.conversation[data-conversation-id="${conversationId}"]`);
    await row.waitFor({ timeout: 20_000 });
    await second.locator('.pane-header h2').waitFor();
    await mark(second);

    await first.goto(`${standalone.app.url}/inbox/#/c/${conversationId}`);
    await first.getByLabel('Add a label to the conversation').selectOption({ label: 'Billing' });
    await first.getByLabel('Add a label to the customer').selectOption({ label: 'VIP' });

    await row.locator('.label-chip', { hasText: 'Billing' }).waitFor({ timeout: 30_000 });
    const conversationLabels = second.getByLabel('conversation labels');
    const customerLabels = second.getByLabel('customer labels');
    await conversationLabels.locator('.label-chip', { hasText: 'Billing' }).waitFor({ timeout: 30_000 });
    await customerLabels.locator('.label-chip', { hasText: 'VIP' }).waitFor({ timeout: 30_000 });
    expect(await seriousAccessibilityViolationsInBothSchemes(second)).toEqual([]); // labelled, in the list and the pane

    // Taken off in the first tab: gone from the second's list and pane.
    await first.getByRole('button', { name: 'Remove label Billing' }).click();
    await row.locator('.label-chip', { hasText: 'Billing' }).waitFor({ state: 'detached', timeout: 30_000 });
    await conversationLabels.locator('.label-chip').first().waitFor({ state: 'detached', timeout: 30_000 });
    expect(await customerLabels.locator('.label-chip').count()).toBe(1);
    expect(await customerLabels.locator('.label-chip', { hasText: 'VIP' }).count()).toBe(1);
    expect(await kept(second)).toBe(true);
    await first.context().close();
    await second.context().close();
  }, 120_000);

  it('runs a whole flow from the keyboard: open, label, reply, snooze, resolve, the list, the help', async () => {
    const page = await signIn();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return {
          tag: el?.tagName ?? '',
          id: el?.id ?? '',
          label: el?.getAttribute('aria-label') ?? '',
          conversation: el?.getAttribute('data-conversation-id') ?? '',
          outline: el ? getComputedStyle(el).outlineStyle : 'none',
        };
      });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('3'); // All
    const rows = page.locator('a.conversation');
    await waitFor(async () => (await rows.count()) === 2, { what: 'both conversations listed' });
    const [firstId, secondId] = (await rows.evaluateAll((as) =>
      as.map((a) => a.getAttribute('data-conversation-id')!),
    )) as [string, string];

    // j opens the first conversation; its row holds the focus, and the focus shows.
    await page.keyboard.press('j');
    const opened = (id: string) =>
      waitFor(() => page.evaluate(() => location.hash).then((h) => h === `#/c/${id}`), {
        what: `conversation ${id} opened`,
      });
    await opened(firstId);
    await waitFor(async () => ((await focused()).conversation === firstId ? true : null), {
      what: 'the opened row focused',
    });
    expect((await focused()).outline).not.toBe('none');
    // ↓ moves the focus to the next row, ↑ back, ↓ again; Enter opens the focused one.
    await page.keyboard.press('ArrowDown');
    expect((await focused()).conversation).toBe(secondId);
    await page.keyboard.press('ArrowUp');
    expect((await focused()).conversation).toBe(firstId);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await opened(secondId);
    // k goes back to the first; the flow goes on with the labelled customer's conversation.
    await page.keyboard.press('k');
    await opened(firstId);
    if (firstId !== conversationId) {
      await page.keyboard.press('j');
      await opened(conversationId);
    }
    await page.locator('.pane-header h2').waitFor();

    // l: the conversation's label picker; ↓ picks the first label; Esc leaves the picker.
    await page.keyboard.press('l');
    expect(await focused()).toMatchObject({ tag: 'SELECT', id: 'label-conversation' });
    await page.keyboard.press('ArrowDown');
    await page.getByLabel('conversation labels').locator('.label-chip', { hasText: 'Billing' }).waitFor();
    await page.keyboard.press('Escape');

    // r: the reply box; Ctrl+Enter sends; Esc leaves it.
    await page.keyboard.press('r');
    expect(await focused()).toMatchObject({ tag: 'TEXTAREA', id: 'reply' });
    await page.keyboard.type('Sorry about that, fixing your invoice now');
    await page.keyboard.press('Control+Enter');
    await page.locator('li.message', { hasText: 'fixing your invoice now' }).waitFor({ timeout: 20_000 });
    await page.keyboard.press('Escape');

    // t: the transfer picker is reachable (nobody else to transfer to here); Esc leaves it.
    await page.keyboard.press('t');
    expect(await focused()).toMatchObject({ tag: 'SELECT', id: 'transfer' });
    await page.keyboard.press('Escape');

    // s: the snooze picker; ↓ picks "For 1 hour".
    await page.keyboard.press('s');
    expect(await focused()).toMatchObject({ tag: 'SELECT', id: 'snooze' });
    await page.keyboard.press('ArrowDown');
    await page.locator('.pane-header .snoozed').waitFor({ timeout: 30_000 });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    // e: resolve.
    await page.keyboard.press('e');
    await page.locator('.pane-header .status.resolved').waitFor({ timeout: 30_000 });
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // replied, snoozed, resolved
    const stored = await db.query<{ status: string }>(
      'SELECT status FROM history.conversations WHERE id = $1',
      [conversationId],
    );
    expect(stored.rows[0]!.status).toBe('resolved');

    // ?: the shortcuts' list, focus inside it; Esc closes it.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.locator('dt').allTextContents()).toEqual(
      expect.arrayContaining(['j / k', 'r', 'e', 't', 's', 'l', '?']),
    );
    expect(await focused()).toMatchObject({ tag: 'BUTTON' });
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // the shortcuts' dialog
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    await page.context().close();
  }, 120_000);
});
