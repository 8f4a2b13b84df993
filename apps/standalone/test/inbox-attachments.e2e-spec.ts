import {
  type Standalone,
  conversationIdListed,
  launchChromium,
  openConversation,
  seriousAccessibilityViolations,
  seriousAccessibilityViolationsInBothSchemes,
  signInToInbox,
  startStandalone,
  waitFor,
} from '@switchboard/testing';
import { existsSync } from 'node:fs';
import { type Browser } from 'playwright-core';

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4b30000000049454e44ae426082',
  'hex',
);

/**
 * `npm start`: a web customer writes from the widget; an agent attaches an image in the composer
 * (a file of another type refused at once) and sends it with a reply; history carries its storage
 * key, the web channel grants it to the customer (ADR 0043), and the customer's widget downloads
 * and shows it. In headless Chromium, both sides.
 */
describe('standalone: an agent attaches an image, the web customer sees it', () => {
  let standalone: Standalone;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync('dist/inbox-web/index.html'))
      throw new Error('run `npm run build` first (builds the SPA)');
    standalone = await startStandalone('standalone_inbox_files', { readyTimeoutMs: 60_000 });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await standalone?.close();
  });

  it('sends the file with the reply and the customer sees it', async () => {
    const customer = await (await browser.newContext()).newPage();
    // Signed in on the shop's demo page: no pre-chat form.
    await customer.goto(`${standalone.app.url}/demo?user=Map%20Reader`);
    await customer.locator('button.l').click();
    const input = customer.getByRole('textbox', { name: 'Message' });
    await input.fill('Can you send me the map?');
    await input.press('Enter');

    const agent = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInToInbox(agent, standalone.app.url, standalone.admin);
    const conversationId = await conversationIdListed(agent, 'Can you send me the map?', { tabs: ['All'] });
    await openConversation(agent, conversationId);
    const timeline = agent.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('Can you send me the map?').waitFor();

    // Refused before uploading: not an image or PDF.
    await agent.getByLabel('Attach files').setInputFiles({
      name: 'notes.html',
      mimeType: 'text/html',
      buffer: Buffer.from('<script>alert(1)</script>'),
    });
    await agent
      .getByRole('alert')
      .getByText('notes.html: only images (PNG, JPEG, GIF, WebP) and PDF')
      .waitFor();
    expect(await seriousAccessibilityViolationsInBothSchemes(agent)).toEqual([]); // a file refused

    await agent
      .getByLabel('Attach files')
      .setInputFiles({ name: 'map.png', mimeType: 'image/png', buffer: PNG });
    await agent.getByRole('list', { name: 'Attached files' }).getByText('map.png').waitFor();
    await agent.getByLabel('Reply', { exact: true }).fill('Here it is.');
    expect(await seriousAccessibilityViolationsInBothSchemes(agent)).toEqual([]); // a file attached
    await agent.screenshot({ path: 'docs/screenshots/inbox-composer-attachment.png' });
    await agent.getByRole('button', { name: 'Send' }).click();
    // The agent sees their own image in the timeline, served by the inbox.
    const shown = timeline.locator('li.message', { hasText: 'Here it is.' }).locator('img.attachment-image');
    await shown.waitFor({ timeout: 30_000 });
    expect(await shown.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    expect(await seriousAccessibilityViolationsInBothSchemes(agent)).toEqual([]); // the image in the timeline

    // The customer's widget downloads the granted file and shows it.
    await customer.getByText('Here it is.').waitFor({ timeout: 30_000 });
    const image = customer.locator('.m.out img.f').last();
    await waitFor(async () => (await image.getAttribute('src'))?.startsWith('blob:') === true, {
      what: 'the agent’s image in the widget',
    });
    // Decoded from the downloaded bytes: the 1×1 image itself.
    await waitFor(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1), {
      what: 'the image decoded in the widget',
    });
    expect(await seriousAccessibilityViolations(customer)).toEqual([]);
  }, 180_000);
});
