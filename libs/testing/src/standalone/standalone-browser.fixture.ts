import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium.util.js';
import { signInToInbox } from '../browser/inbox-sign-in.util.js';
import {
  type StandaloneWithSms,
  type StandaloneWithSmsOptions,
  startStandaloneWithSms,
} from './standalone-sms.fixture.js';

/** The standalone process with a Twilio number, and a headless Chromium to drive its inbox. */
export interface StandaloneInBrowser extends StandaloneWithSms {
  readonly browser: Browser;
  /**
   * A page in a browser context of its own (1280×800 and the light scheme unless `context` says
   * otherwise), signed in to the inbox as the first admin through the form.
   */
  signIn(context?: BrowserContextOptions): Promise<Page>;
  /** Closes the browser, then stops the process and drops its database. */
  close(): Promise<void>;
}

/** `startStandaloneWithSms` and a Chromium beside it, as the standalone browser tests start them. */
export async function startStandaloneInBrowser(
  databaseName: string,
  options: StandaloneWithSmsOptions = {},
): Promise<StandaloneInBrowser> {
  const standalone = await startStandaloneWithSms(databaseName, options);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await standalone.close();
    throw error;
  }
  return {
    ...standalone,
    browser,
    async signIn(context = {}) {
      const page = await (
        await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', ...context })
      ).newPage();
      await signInToInbox(page, standalone.app.url, standalone.admin);
      return page;
    },
    async close() {
      await browser.close();
      await standalone.close();
    },
  };
}
