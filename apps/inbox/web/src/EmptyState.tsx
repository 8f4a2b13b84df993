import type { ReactNode } from 'react';
import { EmptyTrayIcon } from './icons.js';

/** What an empty list or table says: a title, what to do next, and the way to do it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <EmptyTrayIcon size={28} />
      <p className="empty-state-title">{title}</p>
      {children && <p className="empty-state-hint">{children}</p>}
    </div>
  );
}
