import {
  type StandaloneInBrowser,
  seriousAccessibilityViolations,
  startStandaloneInBrowser,
  waitFor,
} from '@switchboard/testing';
import type { Page } from 'playwright-core';

const CUSTOMER = '+14155550191';

/**
 * Issue 18's look, every service in the standalone process, in headless Chromium: the theme
 * toggle (light, dark, the system's) changes the computed colours and is remembered across a
 * reload; empty states say what to do next; the routing steps form refuses a bad step with its
 * errors beside the controls and saves a good one that the API reads back; at a tablet's 768 px
 * the list is a drawer over an open conversation and the reply box is on screen and takes text. axe finds no serious
 * violation at each stop, in light and in dark.
 */
describe('standalone: the inbox look — theme, empty states, routing steps form, tablet', () => {
  let standalone: StandaloneInBrowser;

  beforeAll(async () => {
    standalone = await startStandaloneInBrowser('standalone_inbox_look', { readyTimeoutMs: 90_000 });
  }, 120_000);

  afterAll(async () => {
    await standalone?.close();
  });

  const background = (page: Page, selector = 'body') =>
    page
      .locator(selector)
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
  const textColour = (page: Page) => page.locator('body').evaluate((el) => getComputedStyle(el).color);

  /** No serious axe violation in the light theme, then in the dark one; leaves the page light. */
  async function accessibleInBothThemes(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Light theme' }).click();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Light theme' }).click();
  }

  it('switches to dark and back, remembers the choice across a reload, and follows the system', async () => {
    const page = await standalone.signIn();
    const light = { bg: await background(page), text: await textColour(page) };
    expect(light.bg).toBe('rgb(244, 245, 248)');

    await page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await page.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed')).toBe('true');
    const dark = { bg: await background(page), text: await textColour(page) };
    expect(dark.bg).toBe('rgb(15, 19, 25)');
    expect(dark.text).not.toBe(light.text);
    expect(await background(page, '.list')).not.toBe('rgb(255, 255, 255)');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.reload();
    await page.locator('.topbar').waitFor();
    expect(await background(page)).toBe(dark.bg);
    expect(await page.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed')).toBe('true');

    // System: the browser's preference decides, and changing it applies at once.
    await page.getByRole('button', { name: 'System theme' }).click();
    expect(await background(page)).toBe(light.bg);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background(page)).toBe(dark.bg);
    await page.reload();
    await page.locator('.topbar').waitFor();
    expect(await background(page)).toBe(dark.bg);
    expect(await page.getByRole('button', { name: 'System theme' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    // An explicit light choice wins over a dark system.
    await page.getByRole('button', { name: 'Light theme' }).click();
    expect(await background(page)).toBe(light.bg);
    await page.context().close();
  });

  it('shows empty states with what to do next: the list, the pane, queues and canned responses', async () => {
    const page = await standalone.signIn();
    await page.getByText('Nothing assigned to you yet').waitFor();
    await page.getByText('No conversation open').waitFor();
    await page.getByRole('tab', { name: 'Snoozed' }).click();
    await page.getByText('Nothing is snoozed').waitFor();
    await accessibleInBothThemes(page);

    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByText('No queues yet').waitFor();
    await page.getByText('No canned responses yet').waitFor();
    await accessibleInBothThemes(page);

    // The first canned response replaces the empty state with a table.
    const canned = page.locator('section', { has: page.getByRole('heading', { name: 'Canned responses' }) });
    await canned.getByLabel('Shortcut').fill('thanks');
    await canned.getByLabel('Title').fill('Thanks');
    await canned.getByLabel('Text').fill('Thank you for writing to us.');
    await canned.getByRole('button', { name: 'Add' }).click();
    const table = page.getByRole('table', { name: 'Canned responses' });
    await table.waitFor();
    expect(await table.locator('tbody tr').first().textContent()).toContain('/thanks');
    expect(await page.getByText('No canned responses yet').count()).toBe(0);
    await page.context().close();
  });

  it('refuses a bad routing step with its errors beside the controls, saves a good one and edits it', async () => {
    const page = await standalone.signIn();
    await page.getByRole('link', { name: 'Admin' }).click();
    const form = page.locator('form.queue-form');
    await form.getByLabel('Queue name').fill('Billing');
    await form.getByLabel('Skill 1 of step 1', { exact: true }).fill('Bad skill!');
    await form.getByRole('button', { name: 'Add step' }).click();
    await form.getByLabel('Skill 1 of step 2', { exact: true }).fill('billing');
    await form.getByRole('button', { name: 'Add queue' }).click();

    await form.getByRole('alert').filter({ hasText: '2 things to fix' }).waitFor();
    await form.getByText('A skill is a lower-case name').waitFor();
    await form.getByText('Say how long this step waits').waitFor();
    expect(await form.getByLabel('Skill 1 of step 1', { exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await form.getByLabel('Step 1 wait (seconds)').getAttribute('aria-invalid')).toBe('true');
    await accessibleInBothThemes(page);
    const listed = async () => {
      const response = await page.request.get(`${standalone.app.url}/api/inbox/queues`);
      return (
        (await response.json()) as {
          queues: { id: string; name: string; steps: unknown[]; mode: string }[];
        }
      ).queues;
    };
    expect(await listed()).toEqual([]); // nothing was sent

    await form.getByLabel('Skill 1 of step 1', { exact: true }).fill('billing');
    await form.getByLabel('Level 1 of step 1', { exact: true }).selectOption('4');
    await form.getByLabel('Step 1 wait (seconds)').fill('60');
    await form.getByLabel('Level 1 of step 2', { exact: true }).selectOption('2');
    await form.getByRole('button', { name: 'Add a skill to step 2' }).click();
    await form.getByLabel('Skill 2 of step 2', { exact: true }).fill('spanish');
    await form.getByLabel('Level comparison 2 of step 2').selectOption('=');
    await form.getByLabel('Level 2 of step 2', { exact: true }).selectOption('1');
    await form.getByRole('button', { name: 'Add queue' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Billing.' }).waitFor();

    const [created] = await listed();
    expect(created).toMatchObject({
      name: 'Billing',
      mode: 'auto',
      steps: [
        { expression: 'billing >= 4', expiresAfterSeconds: 60 },
        { expression: 'billing >= 2 AND spanish = 1', expiresAfterSeconds: null },
      ],
    });
    await page.getByRole('table', { name: 'Queues' }).getByText('billing >= 4').waitFor();

    // Edit: the form reads the stored steps back into its controls; the queue keeps its id.
    await page.getByRole('button', { name: 'Edit Billing' }).click();
    expect(await form.getByLabel('Level 1 of step 1', { exact: true }).inputValue()).toBe('4');
    expect(await form.getByLabel('Skill 2 of step 2', { exact: true }).inputValue()).toBe('spanish');
    await form.getByLabel('Level 1 of step 1', { exact: true }).selectOption('5');
    await form.getByLabel('Queue mode').selectOption('offer');
    await form.getByRole('button', { name: 'Remove skill 2 of step 2' }).click();
    await accessibleInBothThemes(page);
    await form.getByRole('button', { name: 'Save queue' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Billing.' }).waitFor();
    const after = await listed();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      id: created!.id,
      mode: 'offer',
      steps: [
        { expression: 'billing >= 5', expiresAfterSeconds: 60 },
        { expression: 'billing >= 2', expiresAfterSeconds: null },
      ],
    });
    await page.context().close();
  });

  it('at a tablet’s 768 px the list is a drawer over the open conversation, and the reply box takes text', async () => {
    await standalone.text(CUSTOMER, 'Hello from a tablet test');
    const page = await standalone.signIn({ viewport: { width: 768, height: 1024 } });
    await page.getByRole('tab', { name: 'All' }).click();
    const conversation = page.locator('a.conversation').first();
    await waitFor(
      async () => {
        if ((await conversation.count()) > 0) return true;
        await page.getByRole('tab', { name: 'Mine' }).click();
        await page.getByRole('tab', { name: 'All' }).click();
        await page.waitForTimeout(500);
        return null;
      },
      { timeoutMs: 30_000, what: 'the conversation listed' },
    );
    // Nothing open: the list is the page, full width.
    expect(await page.locator('.list').isVisible()).toBe(true);
    expect((await page.locator('.list').boundingBox())!.width).toBeGreaterThan(700);
    await accessibleInBothThemes(page);

    await conversation.click();
    const reply = page.getByLabel('Reply', { exact: true });
    await reply.waitFor();
    // The drawer slides away (a 0.18 s transition), however fast the conversation opened.
    await page.locator('.list').waitFor({ state: 'hidden', timeout: 5_000 });
    const paneWidth = (await page.locator('section.pane').boundingBox())!.width;
    expect(paneWidth).toBeGreaterThan(400);
    // Nothing wider than the screen: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await accessibleInBothThemes(page);

    await page.getByRole('button', { name: 'Conversations' }).click();
    expect(await page.getByRole('button', { name: 'Conversations' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    await waitFor(() => page.locator('.list').isVisible(), { what: 'the drawer open' });
    await accessibleInBothThemes(page);
    await page.keyboard.press('Escape');
    await waitFor(async () => !(await page.locator('.list').isVisible()), { what: 'the drawer closed' });

    // The reply box and its send button are on screen and take text.
    await reply.fill('Hi! Answered from a tablet.');
    expect(await reply.inputValue()).toBe('Hi! Answered from a tablet.');
    const send = page.getByRole('button', { name: 'Send', exact: true });
    const box = (await send.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(768);
    expect(await send.isEnabled()).toBe(true);
    await page.context().close();
  });
});
