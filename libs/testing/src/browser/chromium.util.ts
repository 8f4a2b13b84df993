import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, as the browser tests drive it: no sandbox (tests run as root) and
 * none of the background traffic a closed network refuses (update checks, sync, QUIC probes).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
