import { useEffect, useRef } from 'react';
import { isTyping } from './keyboard.js';

/** Every inbox shortcut, as `?` lists them. Keys act only when focus is not in a field. */
export const SHORTCUTS: readonly (readonly [keys: string, what: string])[] = [
  ['/', 'Search messages and customers'],
  ['j / k', 'Next / previous conversation (opens it)'],
  ['↓ / ↑', 'Move through the list; Enter opens'],
  ['1 / 2 / 3', 'Mine / Unassigned / All'],
  ['r', 'Reply (Ctrl+Enter sends, Esc leaves the box)'],
  ['e', 'Resolve'],
  ['Shift+O', 'Reopen'],
  ['t', 'Transfer'],
  ['s', 'Snooze'],
  ['l', 'Label the conversation'],
  ['Shift+L', 'Label the customer'],
  ['?', 'This list (Esc closes it)'],
];

/**
 * The shortcuts' list, opened with `?` from anywhere but a field: a modal `<dialog>`, so focus
 * goes into it, stays there, and Escape closes it and gives focus back where it was.
 */
export function ShortcutsHelp() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?' || isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (dialog.current?.open) return;
      event.preventDefault();
      dialog.current?.showModal();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <dialog ref={dialog} className="shortcuts-help" aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit" autoFocus>
          Close
        </button>
      </form>
    </dialog>
  );
}
