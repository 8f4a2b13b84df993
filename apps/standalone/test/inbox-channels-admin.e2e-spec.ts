import {
  STANDALONE_PUBLIC_BASE_URL as PUBLIC_BASE_URL,
  type Standalone,
  launchChromium,
  metaJson,
  newTwilioAccount,
  seriousAccessibilityViolations,
  signInToInbox,
  signMetaBody,
  signedTwilioWebhook,
  startStandalone,
  twilioInboundSmsParams,
  waitFor,
  whatsAppInbound,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type Browser } from 'playwright-core';

const SCREENSHOTS = 'docs/screenshots';
const { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } = newTwilioAccount();
const NUMBER = '+14155550142';
const WA_PHONE_NUMBER_ID = '106540352242922';
const META_APP_SECRET = randomBytes(16).toString('hex');
const WA_TOKEN = `EAAG${randomBytes(20).toString('hex')}`;

/**
 * The admin screen's channels in `npm start` (the standalone process, the channel ports in
 * process): an admin sets the widget up in headless Chromium (a field error beside its input, then
 * the settings the widget itself serves) and adds a Twilio number whose sealed token then verifies
 * that number's webhooks, and whose removal stops them. The token is never on the page.
 */
describe('standalone: channels on the admin screen', () => {
  let standalone: Standalone;
  let app: Standalone['app'];
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync('dist/inbox-web/index.html'))
      throw new Error('run `npm run build` first (builds the SPA)');
    standalone = await startStandalone('standalone_channels_admin', { readyTimeoutMs: 60_000 });
    app = standalone.app;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await standalone?.close();
  });

  const webhook = async () => {
    const params = twilioInboundSmsParams(ACCOUNT_SID, NUMBER, '+14155550199', { Body: 'hello' });
    const { headers, body } = signedTwilioWebhook(
      AUTH_TOKEN,
      `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
      params,
    );
    return (await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', headers, body })).status;
  };

  it('sets up the widget and a Twilio number from the admin screen', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInToInbox(page, app.url, standalone.admin);
    await page.getByRole('link', { name: 'Admin' }).click();

    // The snippet names this workspace's key, on this origin.
    const snippet = page.getByLabel('Embed snippet');
    await snippet.waitFor();
    const tag = await snippet.textContent();
    const widgetKey = /data-workspace="(wk_[^"]+)"/.exec(tag ?? '')?.[1];
    expect(tag).toBe(`<script async src="${app.url}/widget.js" data-workspace="${widgetKey}"></script>`);

    // A bad origin and colour: each error beside its field, nothing saved.
    await page.getByLabel('Allowed origins').fill('https://shop.example.com/checkout');
    await page.getByRole('textbox', { name: 'Colour', exact: true }).fill('blue');
    await page.getByRole('button', { name: 'Save widget settings' }).click();
    const errors = page.locator('.widget-settings .field-error');
    await errors.first().waitFor();
    expect(await errors.allTextContents()).toEqual([
      'an origin such as https://www.example.com (scheme, host and port only)',
      'a colour as #rrggbb',
    ]);

    // Fixed, with business hours and a title that is markup: the widget serves what was saved.
    await page.getByLabel('Allowed origins').fill('https://shop.example.com');
    await page.getByRole('textbox', { name: 'Colour', exact: true }).fill('#aa3300');
    await page.getByLabel('Widget title').fill('<b>Help</b>');
    await page.getByLabel('Position').selectOption('left');
    await page.getByLabel('Always open').uncheck();
    await page.getByLabel('Time zone').fill('Europe/Paris');
    await page.getByLabel('Hours on mon').fill('09:00-12:00, 13:00-18:00');
    await page.getByRole('button', { name: 'Save widget settings' }).click();
    await page.waitForFunction(() => !document.querySelector('.widget-settings .field-error'));
    const config = await fetch(`${app.url}/widget/config?key=${widgetKey}`, {
      headers: { origin: 'https://shop.example.com' },
    });
    expect(config.status).toBe(200);
    expect(((await config.json()) as { theme: unknown }).theme).toMatchObject({
      color: '#aa3300',
      position: 'left',
      title: '<b>Help</b>',
    });
    await page.getByLabel('Widget title').waitFor();
    expect(await page.getByLabel('Widget title').inputValue()).toBe('<b>Help</b>');
    expect(await page.getByLabel('Hours on mon').inputValue()).toBe('09:00-12:00, 13:00-18:00');

    // A Twilio number: unknown until added, its webhooks verified with the token sealed at rest.
    expect(await webhook()).toBe(403);
    await page.getByLabel('Phone number').fill('+1 415 555 0142');
    await page.getByLabel('Account SID').fill(ACCOUNT_SID);
    await page.getByRole('button', { name: 'Add number' }).click();
    const tokenError = page.locator('section[aria-label="SMS numbers"] .field-error');
    await tokenError.waitFor();
    expect(await tokenError.textContent()).toBe('required for a new number');
    await page.getByLabel('Auth token').fill(AUTH_TOKEN);
    await page.getByRole('button', { name: 'Add number' }).click();
    const row = page
      .getByRole('table', { name: 'Twilio numbers' })
      .getByRole('row', { name: new RegExp(`\\${NUMBER}`) });
    await row.waitFor();
    expect(await webhook()).toBe(200);
    expect(await page.content()).not.toContain(AUTH_TOKEN);
    // The admin page scrolls inside its own pane: a viewport tall enough shows both sections.
    await page.setViewportSize({ width: 1280, height: 2300 });
    await page.locator('section[aria-label="Web chat widget"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/inbox-admin-channels.png` });
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // Admin → Channels

    await page.getByRole('button', { name: `Remove ${NUMBER}` }).click();
    await row.waitFor({ state: 'detached' });
    expect(await webhook()).toBe(403);
    await context.close();
  });

  it('connects a WhatsApp number from the admin screen: the sealed app secret then verifies Meta’s webhooks, and is never shown', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInToInbox(page, app.url, standalone.admin);
    await page.getByRole('link', { name: 'Admin' }).click();

    const social = page.getByRole('region', { name: 'Social channels' });
    await social.getByRole('combobox', { name: 'Channel' }).selectOption('whatsapp');
    await social.getByLabel('WhatsApp number ID').fill(WA_PHONE_NUMBER_ID);
    await social.getByLabel('Access token').fill(WA_TOKEN);
    await social.getByLabel('App secret').fill(META_APP_SECRET);
    await social.getByRole('button', { name: 'Connect' }).click();
    const row = social
      .getByRole('table', { name: 'Social channels' })
      .getByRole('row', { name: new RegExp(WA_PHONE_NUMBER_ID) });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${PUBLIC_BASE_URL}/webhooks/meta`);
    expect(await row.textContent()).toContain('none yet');
    expect(await page.content()).not.toContain(META_APP_SECRET);
    expect(await page.content()).not.toContain(WA_TOKEN);

    const body = metaJson(
      whatsAppInbound({
        phoneNumberId: WA_PHONE_NUMBER_ID,
        from: '14155550199',
        messages: [{ id: `wamid.${randomBytes(12).toString('hex')}`, type: 'text', text: { body: 'héllo' } }],
      }),
    );
    const post = async (secret: string) =>
      (
        await fetch(`${app.url}/webhooks/meta`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, secret) },
          body,
        })
      ).status;
    expect(await post('not-the-app-secret')).toBe(403);
    expect(await post(META_APP_SECRET)).toBe(200);

    // Health: the webhook shows on the screen (written shortly after the acknowledgement).
    await waitFor(
      async () => {
        await page.reload();
        const reloaded = page
          .getByRole('region', { name: 'Social channels' })
          .getByRole('row', { name: new RegExp(WA_PHONE_NUMBER_ID) });
        await reloaded.waitFor();
        return !(await reloaded.textContent())?.includes('none yet');
      },
      { what: 'the last webhook on the admin screen', intervalMs: 500 },
    );
    await page
      .getByRole('region', { name: 'Social channels' })
      .screenshot({ path: `${SCREENSHOTS}/admin-social-channels.png` });
    await context.close();
  });
});
