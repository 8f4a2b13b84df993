import type { Browser } from 'playwright-core';
import {
  seriousAccessibilityViolations,
  seriousAccessibilityViolationsInBothSchemes,
} from './accessibility.util.js';
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

  it('checks the light and the dark colours the system may ask for, and names the scheme', async () => {
    const page = await browser.newPage();
    const body = (dark: string) => `<!doctype html><html lang="en"><head><title>t</title>
      <style>:root{color-scheme:light dark}p{color:light-dark(#1d2330,${dark});background:light-dark(#fff,#1a202b)}</style>
      </head><body><main><p>text</p></main></body></html>`;
    await page.setContent(body('#2e3646'));
    const found = await seriousAccessibilityViolationsInBothSchemes(page);
    expect(found.map((v) => [v.scheme, v.id])).toEqual([['dark', 'color-contrast']]);
    expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(false);

    await page.setContent(body('#e6e9f0'));
    expect(await seriousAccessibilityViolationsInBothSchemes(page)).toEqual([]);
    await page.close();
  });
});
