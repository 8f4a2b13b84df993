import type { DemoUser } from './demo-user.util.js';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface DemoPageInput {
  readonly widgetKey: string;
  readonly user: (DemoUser & { readonly hash: string }) | null;
}

const attribute = (name: string, value: string | undefined): string =>
  value === undefined ? '' : ` ${name}="${escapeHtml(value)}"`;

/** The demo shop page: the one embed tag, as a site would add it, and nothing inline to run. */
export function renderDemoPage({ widgetKey, user }: DemoPageInput): string {
  const userAttributes =
    user === null
      ? ''
      : attribute('data-user-id', user.id) +
        attribute('data-user-hash', user.hash) +
        attribute('data-user-name', user.name) +
        attribute('data-user-email', user.email) +
        attribute('data-user-phone', user.phone);
  const signedInAs =
    user === null
      ? ''
      : [user.name, user.email, user.phone]
          .filter((value) => value !== undefined)
          .map((value) => `<code>${escapeHtml(value)}</code>`)
          .join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard demo shop</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2937; background: #f9fafb; }
  header { background: #111827; color: #fff; padding: 1rem 2rem; }
  main { max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
  code { background: #e5e7eb; padding: 0.1rem 0.3rem; border-radius: 4px; }
</style>
</head>
<body>
<header><h1>Demo shop</h1></header>
<main>
  <p>This page embeds the Switchboard chat widget of the default workspace, exactly as a business
  site would. Open the chat bubble in the corner and write as a customer: your messages reach the
  inbox, and agents' replies show here.</p>
  <p>${user === null ? 'You are an anonymous visitor: the browser keeps your visitor token, so reloading keeps your conversation.' : `You are signed in as ${signedInAs}, verified by the site's HMAC over the user id, email and phone: your conversations follow you to any device, and a text from that phone continues them.`}</p>
  <p>Try <a href="/demo?user=ada&amp;email=ada%40example.com&amp;phone=%2B14155550199">signed in as ada (ada@example.com, +1 415 555 0199)</a> or <a href="/demo">anonymous</a>. A demo user's email must be at a reserved domain (example.com, .test) and the phone a fictional number (+1 NXX 555 01XX), so the demo can't vouch for anyone's real address.</p>
</main>
<script async src="/widget.js" data-workspace="${escapeHtml(widgetKey)}"${userAttributes}></script>
</body>
</html>
`;
}
