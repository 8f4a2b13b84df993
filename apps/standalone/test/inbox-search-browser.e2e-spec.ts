import {
  type StandaloneWithSms,
  launchChromium,
  seriousAccessibilityViolationsInBothSchemes,
  signInToInbox,
  startStandaloneWithSms,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';
import { type Browser } from 'playwright-core';

const CUSTOMER = '+14155550177';
const FILLERS = 55;

/**
 * Issue 18's search and labels in the browser, every service in the standalone process: a
 * customer's SMS, older than the first page of their timeline, is found from the search box
 * (focused with `/`), shown with the word marked, and opens the conversation scrolled to it; an
 * admin creates a label, puts it on the conversation, filters the list by it and saves the
 * filters as a view that brings them back after a reload.
 */
describe('standalone: search and labels in the inbox, in the browser', () => {
  let standalone: StandaloneWithSms;
  let db: pg.Pool;
  let browser: Browser;

  beforeAll(async () => {
    standalone = await startStandaloneWithSms('standalone_search_browser');
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await standalone?.close();
  });

  const sms = (text: string) => standalone.text(CUSTOMER, text);

  it('finds a message with / and opens the conversation at it; labels, filters and saved views', async () => {
    // The message sought, then enough after it that it is not on the timeline's first page (50).
    await sms('Where is the refund for order <b>R123</b>?');
    for (let i = 0; i < FILLERS; i++) await sms(`filler message ${i}`);
    await waitFor(
      async () =>
        Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM history.messages')).rows[0]!.n) >=
        FILLERS + 1,
      { timeoutMs: 60_000, what: 'the messages stored' },
    );
    const { rows } = await db.query<{ id: string; conversation_id: string }>(
      "SELECT id, conversation_id FROM history.messages WHERE text LIKE 'Where is the refund%'",
    );
    const sought = rows[0]!;

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInToInbox(page, standalone.app.url, standalone.admin);

    // `/` from anywhere but a field focuses the search box.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('/');
    const box = page.getByLabel('Search messages and customers');
    await waitFor(() => box.evaluate((el) => el === document.activeElement), { what: 'the box focused' });
    await page.keyboard.type('refund');
    const hit = page.locator(`.search-hit[data-message-id="${sought.id}"]`);
    await hit.waitFor({ timeout: 20_000 });
    expect(await hit.locator('mark').allTextContents()).toEqual(['refund']);
    // The customer's text is text: its markup shows as typed, nothing of it is an element.
    expect(await hit.locator('.snippet').textContent()).toBe('Where is the refund for order <b>R123</b>?');
    expect(await hit.locator('b').count()).toBe(0);
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // search results, the word marked
    await page.screenshot({ path: 'docs/screenshots/inbox-search.png' });

    await hit.click();
    expect(await page.evaluate(() => location.hash)).toBe(`#/c/${sought.conversation_id}/m/${sought.id}`);
    const message = page.locator(`li.message[data-message-id="${sought.id}"]`);
    await message.waitFor({ timeout: 20_000 });
    expect(await message.getAttribute('class')).toContain('focused');
    await waitFor(() => message.isVisible(), { what: 'the message scrolled into view' });
    expect(await page.locator('li.message').count()).toBeGreaterThan(50);
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // the message found, in its timeline

    // Admin → Labels: a label, then on the conversation, then the list filtered by it.
    await page.goto(`${standalone.app.url}/inbox/#/admin`);
    await page.getByLabel('Label name').fill('Billing');
    await page.getByRole('button', { name: 'Add label' }).click();
    await page.locator('.labels-admin .label-chip', { hasText: 'Billing' }).waitFor();

    await page.goto(`${standalone.app.url}/inbox/#/c/${sought.conversation_id}`);
    await page.getByLabel('Add a label to the conversation').selectOption({ label: 'Billing' });
    await page.locator('.pane-header .label-chip', { hasText: 'Billing' }).waitFor();

    await page.getByRole('tab', { name: 'All' }).click();
    await page.getByLabel('Label', { exact: true }).selectOption({ label: 'Billing' });
    const listed = page.locator(`a.conversation[data-conversation-id="${sought.conversation_id}"]`);
    await listed.waitFor();
    expect(await listed.locator('.label-chip').allTextContents()).toEqual(['Billing']);
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // the list filtered by a label

    await page.getByLabel('New view name').fill('All billing chats');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page
      .getByLabel('Saved view')
      .locator('option', { hasText: 'All billing chats' })
      .waitFor({ state: 'attached' });

    // After a reload the filters are back to their defaults; the saved view brings them back.
    await page.reload();
    await page.locator('.topbar').waitFor();
    await page.getByLabel('Saved view').selectOption({ label: 'All billing chats' });
    await listed.waitFor();
    const billingId = (await db.query<{ id: string }>("SELECT id FROM history.labels WHERE name = 'Billing'"))
      .rows[0]!.id;
    const label = page.getByLabel('Label', { exact: true });
    await waitFor(async () => (await label.inputValue()) === billingId, { what: 'the view’s label filter' });
    expect(await page.getByRole('tab', { name: 'All' }).getAttribute('aria-selected')).toBe('true');
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // a saved view
  }, 240_000);
});
