/**
 * What an empty conversation list says, by view: what to do next rather than "nothing here". A
 * newcomer's first list is empty, and the way to see one arrive is the demo page's widget.
 */
export function EmptyConversationList({
  view,
  filtered,
}: {
  view: 'mine' | 'unassigned' | 'all';
  filtered: boolean;
}) {
  if (filtered)
    return <li className="empty">No conversations match these filters. Try All channels and Open.</li>;
  const demo = (
    <a href="/demo" target="_blank" rel="noopener">
      open /demo
    </a>
  );
  switch (view) {
    case 'mine':
      return (
        <li className="empty">
          Nothing assigned to you yet. While you are Online, new conversations come to you here; the ones
          still waiting are under Unassigned. No customers yet? {demo} and write as a customer.
        </li>
      );
    case 'unassigned':
      return (
        <li className="empty">
          No one is waiting. To see a conversation arrive, {demo} and write as a customer.
        </li>
      );
    case 'all':
      return <li className="empty">No conversations yet — {demo} and write as a customer.</li>;
  }
}
