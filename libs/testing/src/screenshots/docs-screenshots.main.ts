/**
 * `npm run docs:screenshots`: the inbox's look in docs/screenshots/, light and dark (ADR 0113).
 * Starts the standalone process on a fresh database (the browser tests' fixture, from the build),
 * has two phones text the Twilio number, then drives /usr/bin/chromium (playwright-core) through
 * the inbox with a conversation open, the admin's routing steps form and a contact's profile, once
 * per theme, plus the inbox at a tablet's 768 px. Run from the repository's root, after the build
 * (the script builds first). Needs PostgreSQL on 127.0.0.1:5432 (or
 * TEST_DATABASE_ADMIN_URL); the database is dropped at the end.
 */
import type { Page } from 'playwright-core';
import { waitFor } from '../async/wait-for.util.js';
import { launchChromium } from '../browser/chromium.util.js';
import { startStandaloneWithSms } from '../standalone/standalone-sms.fixture.js';

const OUT = 'docs/screenshots';
const standalone = await startStandaloneWithSms('docs_screenshots');
const browser = await launchChromium();
try {
  await standalone.text(
    '+14155550131',
    'Hi! My March invoice was charged twice, can you refund one of them?',
  );
  await standalone.text('+14155550132', 'Do you ship to Canada?');

  for (const theme of ['light', 'dark'] as const) {
    const page = await signIn(theme, { width: 1280, height: 800 });
    await openFirstConversation(page);
    await page.screenshot({ path: `${OUT}/look-inbox-${theme}.png` });

    await page.getByRole('link', { name: 'Admin' }).click();
    const queues = page.locator('section[aria-labelledby="queues-heading"]');
    if (theme === 'light') await addBillingQueue(page);
    await page.getByRole('button', { name: 'Edit Billing' }).click();
    // The admin page scrolls under the top bar: the queues' section at the top of the view.
    await queues.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${OUT}/look-routing-steps-${theme}.png` });

    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.getByLabel('Find a contact').fill('+1415555013');
    const contact = page.locator('.contacts tbody tr a').first();
    await contact.waitFor({ timeout: 30_000 });
    await contact.click();
    await page.getByRole('heading', { name: 'Identities' }).waitFor();
    await page.screenshot({ path: `${OUT}/look-contacts-${theme}.png` });
    await page.context().close();
  }

  const tablet = await signIn('dark', { width: 768, height: 1024 });
  await openFirstConversation(tablet);
  await tablet.getByRole('button', { name: 'Conversations' }).click();
  await tablet.waitForTimeout(300); // the drawer's slide
  await tablet.screenshot({ path: `${OUT}/look-inbox-tablet-dark.png` });
  process.stdout.write(`docs:screenshots: written to ${OUT}/look-*.png\n`);
} finally {
  await browser.close();
  await standalone.close();
}

/** A signed-in admin, with the theme chosen as the toggle remembers it. */
async function signIn(theme: 'light' | 'dark', viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme: theme });
  await context.addInitScript((t: string) => localStorage.setItem('switchboard.theme', t), theme);
  const page = await context.newPage();
  await page.goto(`${standalone.app.url}/inbox/`);
  await page.getByLabel('Email').fill(standalone.admin.email);
  await page.getByLabel('Password').fill(standalone.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.topbar').waitFor();
  return page;
}

/** The All tab's first conversation, open (history stores the texts a moment after the webhook). */
async function openFirstConversation(page: Page): Promise<void> {
  const first = page.locator('a.conversation').first();
  await waitFor(
    async () => {
      await page.getByRole('tab', { name: 'All' }).click();
      if ((await page.locator('a.conversation').count()) >= 2) return true;
      await page.getByRole('tab', { name: 'Mine' }).click();
      await page.waitForTimeout(500);
      return null;
    },
    { timeoutMs: 30_000, what: 'both conversations listed' },
  );
  await first.click();
  await page.locator('li.message').first().waitFor();
}

async function addBillingQueue(page: Page): Promise<void> {
  const form = page.locator('form.queue-form');
  await form.getByLabel('Queue name').fill('Billing');
  await form.getByLabel('Skill 1 of step 1', { exact: true }).fill('billing');
  await form.getByLabel('Level 1 of step 1', { exact: true }).selectOption('4');
  await form.getByRole('button', { name: 'Add a skill to step 1' }).click();
  await form.getByLabel('Skill 2 of step 1', { exact: true }).fill('spanish');
  await form.getByLabel('Level 2 of step 1', { exact: true }).selectOption('3');
  await form.getByLabel('Step 1 wait (seconds)').fill('60');
  await form.getByRole('button', { name: 'Add step' }).click();
  await form.getByLabel('Skill 1 of step 2', { exact: true }).fill('billing');
  await form.getByLabel('Level 1 of step 2', { exact: true }).selectOption('2');
  await form.getByRole('button', { name: 'Add queue' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved Billing.' }).waitFor();
}
