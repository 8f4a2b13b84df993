/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface DemoPageInput {
  readonly widgetKey: string;
  readonly user: { readonly id: string; readonly hash: string } | null;
}

/** The demo shop page: the one embed tag, as a site would add it, and nothing inline to run. */
export function renderDemoPage({ widgetKey, user }: DemoPageInput): string {
  const userAttributes =
    user === null
      ? ''
      : ` data-user-id="${escapeHtml(user.id)}" data-user-hash="${escapeHtml(user.hash)}" data-user-name="${escapeHtml(user.id)}"`;
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
  <p>${user === null ? 'You are an anonymous visitor: the browser keeps your visitor token, so reloading keeps your conversation.' : `You are signed in as <code>${escapeHtml(user.id)}</code>, verified by the site's HMAC: your conversations follow you to any device.`}</p>
  <p>Try <a href="/demo?user=demo-user">signed in as demo-user</a> or <a href="/demo">anonymous</a>.</p>
</main>
<script async src="/widget.js" data-workspace="${escapeHtml(widgetKey)}"${userAttributes}></script>
</body>
</html>
`;
}
