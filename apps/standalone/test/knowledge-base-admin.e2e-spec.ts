import {
  type Standalone,
  launchChromium,
  seriousAccessibilityViolations,
  seriousAccessibilityViolationsInBothSchemes,
  signInToInbox,
  startStandalone,
  waitFor,
} from '@switchboard/testing';
import { existsSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';

const SCREENSHOTS = 'docs/screenshots';
const ANSWER =
  'Use "Forgot password" on https://example.com/sign-in. <img src=x onerror=alert(1)> javascript:alert(1)';

/**
 * Admin → Knowledge base in `npm start` (the standalone process: the bot's KnowledgeBaseApi in
 * process, the real PostgreSQL): an admin writes an article whose markup shows as text and whose
 * only link is its https URL, imports a file with bad rows (nothing imported, each row named) and
 * then a good one, searches, edits, exports, and sets the web's bot: external first, where a
 * widget customer is offered "Talk to a person" before any answer, then built-in. A widget
 * customer then gets the bot's answer with "Did this answer your question?" and "Talk to a
 * person", says no, asks for a person and is handed off; the article's counts show it.
 */
describe('standalone: the knowledge base on the admin screen, and the bot in the widget', () => {
  let standalone: Standalone;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync('dist/inbox-web/index.html'))
      throw new Error('run `npm run build` first (builds the SPA)');
    standalone = await startStandalone('standalone_knowledge_base', { readyTimeoutMs: 90_000 });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await standalone?.close();
  });

  const rows = (page: Page) =>
    page.getByRole('table', { name: 'Articles' }).locator('tbody tr[data-article-id]');

  it('manages articles, imports and exports, and switches the bot on for the web', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    await signInToInbox(page, standalone.app.url, standalone.admin);
    await page.getByRole('link', { name: 'Admin' }).click();
    const kb = page.getByRole('region', { name: 'Knowledge base' });
    await kb.getByText('No articles yet').waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // Admin, no articles

    // A new article: markup stays text, only the https URL becomes a link.
    await kb.getByRole('button', { name: 'New article' }).click();
    const editor = kb.getByRole('form', { name: 'Article' });
    await editor.getByLabel('Title').fill('Reset your password');
    await editor.getByLabel('Answer', { exact: true }).fill(ANSWER);
    await editor
      .getByLabel('Questions it answers (one per line)')
      .fill('how do I reset my password\nI forgot my password\nI cannot sign in');
    await editor.getByLabel('Tags (comma-separated)').fill('account, sign-in');
    const preview = editor.getByLabel('Answer preview');
    await preview.getByText('<img src=x onerror=alert(1)>', { exact: false }).waitFor();
    expect(
      await preview.locator('a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href)),
    ).toEqual(['https://example.com/sign-in']);
    expect(await preview.locator('img').count()).toBe(0);
    // No question: the field says so, nothing is saved.
    await editor.getByLabel('Questions it answers (one per line)').fill('');
    await editor.getByRole('button', { name: 'Save article' }).click();
    await editor.getByRole('alert').getByText('at least one question', { exact: false }).waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // the editor, its preview and error
    await editor
      .getByLabel('Questions it answers (one per line)')
      .fill('how do I reset my password\nI forgot my password\nI cannot sign in');
    await editor.getByLabel('State').selectOption('published');
    await editor.getByRole('button', { name: 'Save article' }).click();
    await rows(page).filter({ hasText: 'Reset your password' }).waitFor();

    // An import with bad rows: nothing imported, each bad article named.
    await kb.getByLabel('Knowledge base file').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'id,title,answer,questions,tags,state\n' +
          ',Opening hours,We are open 9 to 5,when are you open,hours,published\n' +
          ',Refunds,Within 30 days,,,published\n',
      ),
    });
    await kb.getByRole('button', { name: 'Import' }).click();
    const problems = kb.getByRole('alert').filter({ hasText: 'Nothing was imported' });
    await problems.getByText('Article 2 — questions', { exact: false }).waitFor();
    expect(await rows(page).count()).toBe(1);
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // an import refused, row by row
    await kb.getByLabel('Knowledge base file').setInputFiles({
      name: 'good.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify([
          {
            title: 'Opening hours',
            answer: 'We are open 9 to 5.',
            questions: ['when are you open'],
            state: 'published',
          },
          {
            title: 'Refunds',
            answer: 'Within 30 days.',
            questions: ['can I get a refund'],
            tags: ['billing'],
          },
        ]),
      ),
    });
    await kb.getByRole('button', { name: 'Import' }).click();
    await kb.getByRole('status').getByText('Imported: 2 created, 0 updated.').waitFor();
    await waitFor(async () => (await rows(page).count()) === 3);
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // the articles, imported

    // Search, then edit what it found.
    await kb.getByLabel('Search articles').fill('refund');
    await waitFor(async () => (await rows(page).count()) === 1);
    await kb.getByRole('button', { name: 'Edit Refunds' }).click();
    await editor.getByLabel('Title').fill('Refunds and returns');
    await editor.getByRole('button', { name: 'Save article' }).click();
    await rows(page).filter({ hasText: 'Refunds and returns' }).waitFor();
    await kb.getByLabel('Search articles').fill('');
    await waitFor(async () => (await rows(page).count()) === 3);

    // Export: the admin's own session downloads the file.
    const exportLink = kb.getByRole('link', { name: 'Export CSV' });
    const exported = await context.request.get(
      new URL((await exportLink.getAttribute('href'))!, standalone.app.url).href,
    );
    expect(exported.status()).toBe(200);
    expect(await exported.text()).toContain('Refunds and returns');

    // An external bot on the web channel (ADR 0083): routing holds the conversation for it, and
    // the widget offers a person from the customer's first message — before any answer (none
    // comes here: no integrator is connected).
    const botOnWeb = kb.getByLabel('Bot on web');
    await botOnWeb.selectOption('external');
    // Controlled by the server's answer: the value shows once the mode is stored.
    await waitFor(async () => (await botOnWeb.inputValue()) === 'external');
    const early = await (await browser.newContext()).newPage();
    await early.goto(`${standalone.app.url}/demo?user=Early%20Asker`);
    await early.locator('button.l').click();
    const earlyInput = early.getByRole('textbox', { name: 'Message' });
    await earlyInput.fill('hello, is anyone there?');
    await earlyInput.press('Enter');
    const earlyPerson = early.getByRole('button', { name: 'Talk to a person' });
    await earlyPerson.waitFor({ timeout: 30_000 });
    expect(await seriousAccessibilityViolations(early)).toEqual([]); // the widget, a person offered
    expect(await early.getByRole('group', { name: 'Did this answer your question?' }).isVisible()).toBe(
      false,
    );
    await earlyPerson.click();
    await early.getByText("I'd like to talk to a person").waitFor();
    expect(await earlyPerson.isVisible()).toBe(false);
    await early.context().close();

    // The built-in bot on the web channel, at once.
    await botOnWeb.selectOption('built-in');
    await waitFor(async () => (await botOnWeb.inputValue()) === 'built-in');
    await page.reload();
    await page.getByRole('region', { name: 'Knowledge base' }).getByLabel('Bot on web').waitFor();
    expect(await page.getByLabel('Bot on web').inputValue()).toBe('built-in');
    expect(dialogs).toEqual([]);
    await page.getByRole('region', { name: 'Knowledge base' }).screenshot({
      path: `${SCREENSHOTS}/inbox-admin-knowledge-base.png`,
    });

    // A web customer asks; the bot answers and asks whether it helped.
    const customer = await (await browser.newContext()).newPage();
    await customer.goto(`${standalone.app.url}/demo?user=Robin%20Reader`);
    await customer.locator('button.l').click();
    const input = customer.getByRole('textbox', { name: 'Message' });
    await input.fill('how can I reset my pasword?');
    await input.press('Enter');
    await customer.getByText('Use "Forgot password" on', { exact: false }).waitFor({ timeout: 30_000 });
    const helped = customer.getByRole('group', { name: 'Did this answer your question?' });
    await helped.waitFor();
    const person = customer.getByRole('button', { name: 'Talk to a person' });
    await person.waitFor();
    await customer.screenshot({ path: `${SCREENSHOTS}/widget-bot-answer.png` });
    expect(await seriousAccessibilityViolations(customer)).toEqual([]); // the bot's answer, its question

    await helped.getByRole('button', { name: 'No' }).click();
    await customer.getByText("No, that didn't help").waitFor();
    await helped.waitFor({ state: 'hidden' });
    await person.click();
    await customer.getByText("I'd like to talk to a person").waitFor();
    await customer
      .getByText('Let me connect you with a person', { exact: false })
      .waitFor({ timeout: 30_000 });
    await person.waitFor({ state: 'hidden' });

    // The article's counts: answered once, said not to help once, handed off after it.
    await page.reload();
    const counts = rows(page).filter({ hasText: 'Reset your password' }).locator('td.article-counts');
    await waitFor(async () => (await counts.textContent())?.trim() === '1 / 0 / 1 / 1', {
      timeoutMs: 20_000,
    });
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]); // the bot on, the counts
  }, 240_000);
});
