import type { Page } from 'playwright-core';
import { waitFor } from '../async/wait-for.util.js';

/**
 * The id of a conversation the signed-in inbox lists with `text` in its row (a customer's name,
 * a preview), looked for in each of `tabs` in turn until one shows it. Routing may assign it at
 * any moment (from Unassigned to Mine), so callers open it by id rather than click a row that may
 * move. A tab the person does not have (an agent's All) is passed over.
 */
export function conversationIdListed(
  page: Page,
  text: string,
  {
    tabs = ['Mine', 'Unassigned', 'All'],
    timeoutMs = 30_000,
  }: { readonly tabs?: readonly string[]; readonly timeoutMs?: number } = {},
): Promise<string> {
  const row = page.locator('a.conversation', { hasText: text }).first();
  return waitFor(
    async () => {
      for (const name of tabs) {
        const tab = page.getByRole('tab', { name });
        if ((await tab.count()) === 0) continue;
        await tab.click();
        const id = await row.getAttribute('data-conversation-id', { timeout: 1_000 }).catch(() => null);
        if (id) return id;
      }
      return null;
    },
    { timeoutMs, what: `${text} in the inbox` },
  );
}

/** Opens a conversation by id in the signed-in inbox, as following its link does. */
export function openConversation(page: Page, conversationId: string): Promise<void> {
  return page.evaluate((id) => {
    location.hash = `#/c/${id}`;
  }, conversationId);
}
