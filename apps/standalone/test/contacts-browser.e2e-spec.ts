import {
  type StandaloneInBrowser,
  seriousAccessibilityViolations,
  startStandaloneInBrowser,
  waitFor,
} from '@switchboard/testing';
import type { Page } from 'playwright-core';

const HOME_PHONE = '+14155550181';
const WORK_PHONE = '+14155550182';

/**
 * Contacts, through every service in the standalone process, in headless Chromium: two phones text
 * the Twilio number (signed webhooks) and become two customers in history; the admin finds both on
 * the Contacts page by a phone prefix, opens one, names her and sets an attribute with the form,
 * merges the other phone's contact into her (both identities, both conversations on one profile),
 * then undoes the merge (each phone its own contact again). Markup in a name is shown as text.
 */
describe('standalone: contacts page — find, profile, attributes, merge and undo', () => {
  let standalone: StandaloneInBrowser;

  beforeAll(async () => {
    standalone = await startStandaloneInBrowser('standalone_contacts', { readyTimeoutMs: 90_000 });
  }, 120_000);

  afterAll(async () => {
    await standalone?.close();
  });

  const rows = (page: Page) => page.locator('.contacts tbody tr');
  /** The list answers a moment after typing (debounced): wait for it to show `count` contacts. */
  const shows = (page: Page, count: number) =>
    waitFor(async () => ((await rows(page).count()) === count ? true : null), {
      timeoutMs: 10_000,
      what: `${count} contact(s) listed`,
    });

  it('finds contacts by a phone prefix, edits one, merges the other into her and undoes it', async () => {
    await standalone.text(HOME_PHONE, 'Hello from home');
    await standalone.text(WORK_PHONE, 'Hello from work');
    const page = await standalone.signIn();
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // the inbox itself
    await page.getByRole('link', { name: 'Contacts' }).click();

    const search = page.getByLabel('Find a contact');
    await search.fill('+1415555018');
    // History stores the texts asynchronously (webhook → Kafka → history): wait for both customers.
    await waitFor(
      async () => {
        if ((await rows(page).count()) === 2) return true;
        await search.fill('+1415555018 ');
        await search.fill('+1415555018');
        await page.waitForTimeout(500);
        return null;
      },
      { timeoutMs: 30_000, what: 'both phones on the contacts page' },
    );
    await search.fill(HOME_PHONE);
    await shows(page, 1);
    expect(await rows(page).first().textContent()).toContain(HOME_PHONE);
    await search.fill('+19995550000');
    await page.getByText('name or identity starts with “+19995550000”').waitFor();

    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // The home phone's profile: name and an attribute, through the form.
    await search.fill(HOME_PHONE);
    await shows(page, 1);
    await rows(page).first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Identities' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Ada <b>Lovelace</b>');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByLabel('Attribute 1 name').fill('plan');
    await page.getByLabel('Attribute 1 value').fill('pro');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Ada <b>Lovelace</b>' }).waitFor();
    expect(await page.locator('.contacts h2 b').count()).toBe(0);
    expect(await page.getByLabel('Attribute 1 value').inputValue()).toBe('pro');

    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Merge the work phone's contact into this one.
    await page.getByLabel('Merge another contact into this one').fill(WORK_PHONE);
    await page
      .locator('.merge-picker li', { hasText: WORK_PHONE })
      .getByRole('button', { name: 'Merge' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Merged' }).waitFor();
    const identities = page.locator('section[aria-labelledby="identities"] li');
    await waitFor(async () => ((await identities.count()) === 2 ? true : null), {
      timeoutMs: 10_000,
      what: 'both phones on the merged profile',
    });
    expect(await page.locator('section[aria-labelledby="conversations"] tbody tr').count()).toBe(2);

    // Undo: each phone its own contact again.
    await page.getByRole('button', { name: 'Undo merge' }).click();
    await page.getByRole('status').filter({ hasText: 'Merge undone' }).waitFor();
    await waitFor(async () => ((await identities.count()) === 1 ? true : null), {
      timeoutMs: 10_000,
      what: 'one phone after the undo',
    });
    expect(await identities.first().textContent()).toContain(HOME_PHONE);
    expect(await page.locator('section[aria-labelledby="merges"]').textContent()).toContain('undone on');
    await page.getByRole('link', { name: '← Contacts' }).click();
    await page.getByLabel('Find a contact').fill('+1415555018');
    await shows(page, 2);
  });
});
