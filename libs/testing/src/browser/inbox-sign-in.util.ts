import type { Page } from 'playwright-core';

/**
 * Signs in on the inbox's page at `${baseUrl}/inbox/` with the form, as a person would, and waits
 * for the inbox's top bar.
 */
export async function signInToInbox(
  page: Page,
  baseUrl: string,
  credentials: { readonly email: string; readonly password: string },
): Promise<void> {
  await page.goto(`${baseUrl}/inbox/`);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.topbar').waitFor();
}
