import type { Browser } from 'playwright-core';
import { seriousAccessibilityViolations } from './accessibility.util.js';
import { launchChromium } from './chromium.util.js';

/** The check the browser tests rely on finds what it should, and passes what it should. */
describe('seriousAccessibilityViolations', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('reports an unlabelled field and unreadable text, and nothing on a labelled page', async () => {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="en"><head><title>t</title></head><body><main>
      <input type="text"><p style="color:#eee;background:#fff">faint</p></main></body></html>`);
    const found = (await seriousAccessibilityViolations(page)).map((v) => v.id).sort();
    expect(found).toEqual(['color-contrast', 'label']);

    await page.setContent(`<!doctype html><html lang="en"><head><title>t</title></head><body><main>
      <label>Name <input type="text"></label><p>plain</p></main></body></html>`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.close();
  });
});
