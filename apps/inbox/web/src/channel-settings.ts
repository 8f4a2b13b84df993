/** The tag a site pastes to show the widget: loads async, never blocks the page. */
export function embedSnippet(origin: string, widgetKey: string): string {
  return `<script async src="${origin}/widget.js" data-workspace="${widgetKey}"></script>`;
}

/** The same tag for a signed-in user, the hash computed on the site's server. */
export function signedUserSnippet(origin: string, widgetKey: string): string {
  return [
    '<script',
    '  async',
    `  src="${origin}/widget.js"`,
    `  data-workspace="${widgetKey}"`,
    '  data-user-id="USER_ID"',
    '  data-user-hash="HEX_HMAC_SHA256(IDENTITY_SECRET, USER_ID)"',
    '></script>',
    '',
    '// on your server (Node):',
    "const hash = crypto.createHmac('sha256', identitySecret).update(String(user.id)).digest('hex');",
  ].join('\n');
}

/** `09:00-12:00, 13:00-18:00` from intervals, and back. */
export function formatIntervals(intervals: readonly { from: string; to: string }[]): string {
  return intervals.map((i) => `${i.from}-${i.to}`).join(', ');
}

/** What the admin typed, as intervals; the server validates each time and names the bad one. */
export function parseIntervals(text: string): { from: string; to: string }[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [from = '', to = ''] = part.split('-').map((t) => t.trim());
      return { from, to };
    });
}
