import { type FormEvent, useState } from 'react';
import type { ApiKeyScope, ApiKeyView, CreatedApiKey } from '@switchboard/contracts';
import { type Guard, RemoveButton, TextInput, useLoaded } from './AdminForm.js';
import { api } from './api.js';

const loadKeys = async () => (await api<{ apiKeys: ApiKeyView[] }>('GET', '/admin/api-keys')).apiKeys;

const when = (iso: string | null) => (iso === null ? 'never' : new Date(iso).toLocaleString());

/**
 * Admin → API keys: integrators' keys for the gRPC API, created with a scope and an optional rate
 * limit, the key shown once (grpc-api keeps only its hash), last use shown, revocable — while
 * everything runs.
 */
export function ApiKeysAdmin({ guard }: { guard: Guard }) {
  const [keys, load] = useLoaded(loadKeys, []);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKeyScope>('read');
  const [rate, setRate] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    await guard(async () => {
      const result = await api<CreatedApiKey>('POST', '/admin/api-keys', {
        name,
        scope,
        rateLimitPerSecond: rate.trim() === '' ? null : Number(rate),
      });
      setCreated(result);
      setName('');
      setRate('');
      await load();
    })();
  };

  return (
    <section aria-label="API keys">
      <h2>API keys</h2>
      <p className="hint">
        For your own systems calling the gRPC API (port 50051 by default; see docs/grpc.md). A key belongs to
        this workspace.
      </p>
      {created && (
        <div className="new-key" role="status">
          <p>
            Key <strong>{created.apiKey.name}</strong> created. Copy it now: it is shown only once.
          </p>
          <code aria-label="New API key">{created.key}</code>{' '}
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <table aria-label="API keys">
        <thead>
          <tr>
            <th>Name</th>
            <th>Key</th>
            <th>Scope</th>
            <th>Rate limit</th>
            <th>Last used</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} data-key-id={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.keyPrefix}…</code>
              </td>
              <td>{k.scope}</td>
              <td>{k.rateLimitPerSecond === null ? 'default' : `${k.rateLimitPerSecond}/s`}</td>
              <td className="last-used">{when(k.lastUsedAt)}</td>
              <td>{k.revokedAt === null ? 'active' : `revoked ${when(k.revokedAt)}`}</td>
              <td>
                {k.revokedAt === null && (
                  <RemoveButton
                    label="Revoke"
                    name={k.name}
                    guard={guard}
                    remove={() => api('POST', `/admin/api-keys/${k.id}/revoke`)}
                    then={load}
                  />
                )}
              </td>
            </tr>
          ))}
          {keys.length === 0 && (
            <tr>
              <td colSpan={7} className="empty">
                No keys yet: create one for each system that calls the API.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form className="stacked" onSubmit={(e) => void create(e)}>
        <TextInput
          label="Key name"
          placeholder="Key name (e.g. CRM sync)"
          value={name}
          onChange={setName}
          required
        />
        <select
          aria-label="Key scope"
          value={scope}
          onChange={(e) => setScope(e.target.value as ApiKeyScope)}
        >
          <option value="read">read</option>
          <option value="read-write">read-write</option>
        </select>
        <input
          aria-label="Rate limit (calls per second)"
          placeholder="calls/s (empty: default)"
          inputMode="numeric"
          value={rate}
          onChange={(e) => setRate(e.target.value)}
        />
        <button type="submit">Create key</button>
      </form>
    </section>
  );
}
