import { useCallback, useEffect, useState } from 'react';
import { type OperatorWorkspaceView, type Page, api, query } from './api.js';

/**
 * The installation's operator's list of every workspace (ADR 0059), oldest first, a page at a time:
 * members, channels, conversations, when it was created. Names are shown as text, as everywhere.
 */
export function OperatorPage() {
  const [workspaces, setWorkspaces] = useState<OperatorWorkspaceView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (pageToken?: string) => {
    try {
      const page = await api<Page<OperatorWorkspaceView>>(
        'GET',
        `/operator/workspaces${query({ pageToken })}`,
      );
      setWorkspaces((shown) => (pageToken ? [...shown, ...page.items] : page.items));
      setNext(page.nextPageToken);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => void load(), [load]);

  return (
    <main className="page">
      <h2>Workspaces</h2>
      {error && <p className="error">{error}</p>}
      <table aria-label="Workspaces">
        <thead>
          <tr>
            <th>Name</th>
            <th>Members</th>
            <th>Channels</th>
            <th>Conversations</th>
            <th>Created</th>
            <th>Admins</th>
          </tr>
        </thead>
        <tbody>
          {workspaces.map((w) => (
            <tr key={w.id}>
              <td title={w.id}>{w.name}</td>
              <td>{w.members}</td>
              <td>{w.channels}</td>
              <td>{w.conversations}</td>
              <td>{new Date(w.createdAt).toLocaleDateString()}</td>
              <td>{w.admins.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && (
        <button type="button" onClick={() => void load(next)}>
          More workspaces
        </button>
      )}
    </main>
  );
}
