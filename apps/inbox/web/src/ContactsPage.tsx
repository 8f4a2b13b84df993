import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { type ContactProfile, type CustomerView, type Page, api, query } from './api.js';
import { CHANNEL_LABEL, time } from './format.js';
import { LabelEditor } from './LabelChips.js';
import { useLabels } from './labels.js';
import { live } from './live.js';

/** Contacts (`#/contacts`): find customers by name or any identity, and open a profile. */
export function ContactsPage({ customerId }: { customerId?: string }) {
  return customerId ? <ContactProfilePage customerId={customerId} /> : <ContactList />;
}

function ContactList() {
  const [text, setText] = useState('');
  const [found, setFound] = useState<Page<CustomerView> | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (q: string, pageToken?: string) => {
    setError(null);
    try {
      const page = await api<Page<CustomerView>>('GET', `/customers${query({ q, pageToken })}`);
      setFound((before) =>
        pageToken && before
          ? { items: [...before.items, ...page.items], nextPageToken: page.nextPageToken }
          : page,
      );
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    // Typing narrows the list as it goes; a short pause keeps it to one request per word.
    const timer = setTimeout(() => void load(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text, load]);

  return (
    <main className="page contacts">
      <h2>Contacts</h2>
      <label className="contact-search">
        Find a contact
        <input
          type="search"
          value={text}
          placeholder="Name, phone, email or any identity"
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {error && <p className="error">{error}</p>}
      {found && found.items.length === 0 && (
        <p className="empty">
          {text.trim()
            ? `No contact's name or identity starts with “${text.trim()}”.`
            : 'No contacts yet: a customer becomes one with their first message on any channel.'}
        </p>
      )}
      {found && found.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Identities</th>
              <th scope="col">Channels</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {found.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`#/contacts/${c.id}`}>{c.name ?? 'Unknown customer'}</a>
                </td>
                <td>{c.identities.map((i) => i.value).join(', ')}</td>
                <td>{c.channels.map((ch) => CHANNEL_LABEL[ch]).join(', ')}</td>
                <td>{time(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {found?.nextPageToken && (
        <button type="button" onClick={() => void load(text.trim(), found.nextPageToken ?? undefined)}>
          More contacts
        </button>
      )}
    </main>
  );
}

function ContactProfilePage({ customerId }: { customerId: string }) {
  const [labels, , labelsLoaded] = useLabels();
  const [profile, setProfile] = useState<ContactProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setProfile(await api<ContactProfile>('GET', `/customers/${encodeURIComponent(customerId)}`));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [customerId]);

  useEffect(() => {
    setProfile(null);
    setError(null);
    setNotice(null);
    void reload();
  }, [reload]);

  // Live (ADR 0117): another agent's label change (`customer.labels.changed`, to every socket of the
  // workspace) or any event about this customer reloads the profile; so does a reconnection, for
  // what the socket missed while down.
  const pending = useRef<number | undefined>(undefined);
  useEffect(() => {
    const off = live.on(({ event }) => {
      if (event.payload.customerId !== customerId) return;
      window.clearTimeout(pending.current);
      pending.current = window.setTimeout(() => void reload(), 150);
    });
    const offConnected = live.onConnected(() => void reload());
    return () => {
      off();
      offConnected();
      window.clearTimeout(pending.current);
    };
  }, [customerId, reload]);

  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    setNotice(null);
    try {
      await what();
      setNotice(done);
      await reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const setLabelsTo = async (labelIds: string[]) => {
    setError(null);
    setNotice(null);
    try {
      await api('PUT', `/customers/${encodeURIComponent(customerId)}/labels`, { labelIds });
      await reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!profile)
    return (
      <main className="page contacts">
        <a href="#/contacts">← Contacts</a>
        {error ? <p className="error">{error}</p> : <p className="loading">Loading…</p>}
      </main>
    );
  const { customer, conversations, merges, mergeSuggestions } = profile;
  const merge = (sourceCustomerId: string) =>
    act(
      () => api('POST', `/customers/${customer.id}/merge`, { sourceCustomerId }),
      'Merged: the other contact’s identities and conversations are now here.',
    );

  return (
    <main className="page contacts">
      <a href="#/contacts">← Contacts</a>
      <h2>{customer.name ?? 'Unknown customer'}</h2>
      {customer.erasedAt && <p className="notice">Erased on {time(customer.erasedAt)}.</p>}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && <p className="error">{error}</p>}
      <div className="profile">
        <section aria-labelledby="details">
          <h3 id="details">Details</h3>
          <ProfileForm
            key={customer.updatedAt}
            customer={customer}
            onSave={(patch) => act(() => api('PATCH', `/customers/${customer.id}`, patch), 'Saved.')}
          />
        </section>
        <section aria-labelledby="contact-labels">
          <h3 id="contact-labels">Labels</h3>
          {labelsLoaded && labels.length === 0 ? (
            <p className="empty">No labels in this workspace yet: an admin adds them under Admin → Labels.</p>
          ) : (
            <>
              {(customer.labelIds ?? []).length === 0 && <p className="empty">No labels on this contact.</p>}
              <LabelEditor what="contact" ids={customer.labelIds} labels={labels} onChange={setLabelsTo} />
            </>
          )}
        </section>
        <section aria-labelledby="identities">
          <h3 id="identities">Identities</h3>
          <ul>
            {customer.identities.map((i) => (
              <li key={i.id}>
                <span className="kind">{i.kind}</span> {i.value}
                {i.verified ? '' : ' (unverified)'}
                {i.optedOut ? ' · opted out' : ''}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="conversations">
          <h3 id="conversations">Conversations</h3>
          {conversations.length === 0 ? (
            <p className="empty">No conversations.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last activity</th>
                  <th scope="col">
                    <span className="sr-only">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {conversations.map((c) => (
                  <tr key={c.id}>
                    <td>{c.channel ? CHANNEL_LABEL[c.channel] : '—'}</td>
                    <td>{c.status}</td>
                    <td>{time(c.lastMessageAt)}</td>
                    <td>
                      <a href={`#/c/${c.id}`}>Open</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section aria-labelledby="merges">
          <h3 id="merges">Merges</h3>
          {mergeSuggestions.length > 0 && (
            <ul className="suggestions">
              {mergeSuggestions.map((s) => {
                const other = s.customerId === customer.id ? s.candidateCustomerId : s.customerId;
                return (
                  <li key={s.id}>
                    May be the same person: shares {s.identity.kind} {s.identity.value}{' '}
                    <a href={`#/contacts/${other}`}>see contact</a>{' '}
                    <button type="button" onClick={() => void merge(other)}>
                      Merge into this contact
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          <MergePicker customerId={customer.id} onPick={(id) => void merge(id)} />
          {merges.length > 0 && (
            <ul className="merges">
              {merges.map((m) => (
                <li key={m.id}>
                  {m.targetCustomerId === customer.id ? (
                    <>
                      <a href={`#/contacts/${m.sourceCustomerId}`}>A contact</a> merged into this one
                    </>
                  ) : (
                    <>
                      Merged into <a href={`#/contacts/${m.targetCustomerId}`}>another contact</a>
                    </>
                  )}{' '}
                  by {m.mergedBy.name ?? m.mergedBy.id ?? m.mergedBy.type} on {time(m.mergedAt)}
                  {m.undoneAt ? (
                    ` · undone on ${time(m.undoneAt)}`
                  ) : (
                    <>
                      {' '}
                      <button
                        type="button"
                        onClick={() =>
                          void act(
                            () => api('POST', `/merges/${m.id}/undo`),
                            'Merge undone: the identities and conversations it moved are back.',
                          )
                        }
                      >
                        Undo merge
                      </button>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}

/** Name and attributes, edited as a form: rows of key and value, removed by emptying the key. */
function ProfileForm({
  customer,
  onSave,
}: {
  customer: CustomerView;
  onSave: (patch: { name: string | null; attributes: Record<string, string | null> }) => Promise<void>;
}) {
  const [name, setName] = useState(customer.name ?? '');
  const [rows, setRows] = useState<[string, string][]>(() => Object.entries(customer.attributes));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const attributes: Record<string, string | null> = {};
    for (const key of Object.keys(customer.attributes)) attributes[key] = null;
    for (const [key, value] of rows) if (key.trim()) attributes[key.trim()] = value;
    void onSave({ name: name.trim() || null, attributes });
  };
  const setRow = (index: number, row: [string, string]) =>
    setRows((before) => before.map((r, i) => (i === index ? row : r)));

  return (
    <form className="profile-form" onSubmit={submit}>
      <label>
        Name
        <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
      </label>
      <fieldset>
        <legend>Attributes</legend>
        {rows.map(([key, value], index) => (
          <div className="attribute" key={index}>
            <input
              aria-label={`Attribute ${index + 1} name`}
              value={key}
              maxLength={100}
              onChange={(e) => setRow(index, [e.target.value, value])}
            />
            <input
              aria-label={`Attribute ${index + 1} value`}
              value={value}
              maxLength={500}
              onChange={(e) => setRow(index, [key, e.target.value])}
            />
            <button
              type="button"
              aria-label={`Remove attribute ${key || index + 1}`}
              onClick={() => setRows((before) => before.filter((_, i) => i !== index))}
            >
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setRows((before) => [...before, ['', '']])}>
          Add attribute
        </button>
      </fieldset>
      <button type="submit">Save</button>
    </form>
  );
}

/** Finds another contact to merge into this one. */
function MergePicker({ customerId, onPick }: { customerId: string; onPick: (id: string) => void }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<CustomerView[]>([]);

  useEffect(() => {
    const q = text.trim();
    if (!q) return setFound([]);
    const timer = setTimeout(() => {
      api<Page<CustomerView>>('GET', `/customers${query({ q, pageSize: '5' })}`)
        .then((page) => setFound(page.items.filter((c) => c.id !== customerId)))
        .catch(() => setFound([]));
    }, 200);
    return () => clearTimeout(timer);
  }, [text, customerId]);

  return (
    <div className="merge-picker">
      <label>
        Merge another contact into this one
        <input
          type="search"
          value={text}
          placeholder="Name or identity"
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {found.length > 0 && (
        <ul>
          {found.map((c) => (
            <li key={c.id}>
              {c.name ?? 'Unknown customer'} · {c.identities.map((i) => i.value).join(', ')}{' '}
              <button type="button" onClick={() => (setText(''), onPick(c.id))}>
                Merge
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
