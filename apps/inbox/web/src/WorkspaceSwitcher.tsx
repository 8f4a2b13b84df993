import { useEffect, useState } from 'react';
import { type Me, api, setCsrfToken } from './api.js';

interface Membership {
  workspaceId: string;
  name: string;
  role: string;
  current: boolean;
}

const NEW = 'new';

/**
 * The workspaces the signed-in person belongs to, in the top bar: picking one signs them in there
 * (a new session; the page reloads so nothing of the other workspace stays on screen), and "New
 * workspace…" creates one they administer.
 */
export function WorkspaceSwitcher({ me }: { me: Me }) {
  const [workspaces, setWorkspaces] = useState<Membership[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<{ workspaces: Membership[] }>('GET', '/workspaces')
      .then((r) => setWorkspaces(r.workspaces))
      .catch(() => setWorkspaces([]));
  }, [me.workspaceId]);

  const switchTo = async (workspaceId: string) => {
    const result = await api<{ csrfToken: string }>('POST', '/workspaces/switch', { workspaceId });
    setCsrfToken(result.csrfToken);
    location.hash = '#/';
    location.reload();
  };

  const change = async (value: string) => {
    setError(null);
    try {
      if (value !== NEW) return await switchTo(value);
      const name = window.prompt('Name of the new workspace');
      if (!name?.trim()) return;
      const created = await api<{ id: string }>('POST', '/workspaces', {
        name,
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
      });
      await switchTo(created.id);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <label className="workspace-switcher" title={error ?? 'Your workspaces'}>
      <select aria-label="Workspace" value={me.workspaceId} onChange={(e) => void change(e.target.value)}>
        {workspaces.map((w) => (
          <option key={w.workspaceId} value={w.workspaceId}>
            {w.name}
          </option>
        ))}
        <option value={NEW}>New workspace…</option>
      </select>
      {error && <span className="error-dot">!</span>}
    </label>
  );
}
