import { type FormEvent, useState } from 'react';
import { type Guard, RemoveButton, TextInput, useLoaded } from './AdminForm.js';
import { AgentSkillsForm } from './AgentSkillsForm.js';
import { DEFAULT_CAPACITY, knownSkills, skillsSummary } from './agent-skills.js';
import { ApiKeysAdmin } from './ApiKeysAdmin.js';
import { ChannelsAdmin } from './ChannelsAdmin.js';
import { KnowledgeBaseAdmin } from './KnowledgeBaseAdmin.js';
import { EmptyState } from './EmptyState.js';
import { LabelsAdmin } from './LabelsAdmin.js';
import { QueuesAdmin } from './QueuesAdmin.js';
import { WorkspaceSettingsAdmin } from './WorkspaceSettingsAdmin.js';
import {
  type AgentView,
  type CannedResponse,
  type InviteView,
  type Me,
  type QueueView,
  type Role,
  type UserView,
  api,
} from './api.js';

export function AdminPage({ me }: { me: Me }) {
  const [error, setError] = useState<string | null>(null);
  const guard = (work: () => Promise<unknown>) => async () => {
    setError(null);
    try {
      await work();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <main className="page admin">
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <WorkspaceSettingsAdmin guard={guard} />
      <Users me={me} guard={guard} />
      <ChannelsAdmin guard={guard} />
      <QueuesAdmin guard={guard} />
      <CannedResponses guard={guard} />
      <LabelsAdmin guard={guard} />
      <KnowledgeBaseAdmin guard={guard} />
      <ApiKeysAdmin guard={guard} />
    </main>
  );
}

const ROLE_OPTIONS = (
  <>
    <option value="agent">agent</option>
    <option value="supervisor">supervisor</option>
    <option value="admin">admin</option>
  </>
);

async function loadUsers() {
  const [u, i, a, q] = await Promise.all([
    api<{ users: UserView[] }>('GET', '/users'),
    api<{ invites: InviteView[] }>('GET', '/invites'),
    api<{ agents: AgentView[] }>('GET', '/agents').catch(() => ({ agents: [] as AgentView[] })),
    api<{ queues: QueueView[] }>('GET', '/queues').catch(() => ({ queues: [] as QueueView[] })),
  ]);
  return {
    users: u.users,
    invites: i.invites,
    agents: new Map(a.agents.map((agent) => [agent.agentId, agent])),
    skills: knownSkills(a.agents, q.queues),
  };
}
const loadCanned = async () =>
  (await api<{ cannedResponses: CannedResponse[] }>('GET', '/canned-responses')).cannedResponses;

function Users({ me, guard }: { me: Me; guard: Guard }) {
  const [{ users, invites, agents, skills }, load] = useLoaded(loadUsers, {
    users: [] as UserView[],
    invites: [] as InviteView[],
    agents: new Map<string, AgentView>(),
    skills: [] as string[],
  });
  const [editing, setEditing] = useState<UserView | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const skillsDone = async (savedName?: string) => {
    setSaved(savedName ? `Saved the skills of ${savedName}.` : null);
    setEditing(null);
    await load();
  };
  const [link, setLink] = useState<string | null>(null);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    await guard(async () => {
      const created = await api<{ link: string }>('POST', '/invites', { email, displayName: name, role });
      setLink(created.link);
      setEmail('');
      setName('');
      await load();
    })();
  };

  return (
    <section>
      <h2>Users</h2>
      <table className="data-table" aria-label="Users">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Skills and capacity</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.displayName}</td>
              <td>{u.email}</td>
              <td>
                <select
                  aria-label={`Role of ${u.email}`}
                  value={u.role}
                  onChange={(e) =>
                    void guard(() => api('PATCH', `/users/${u.id}`, { role: e.target.value }).then(load))()
                  }
                >
                  {ROLE_OPTIONS}
                </select>
              </td>
              <td>
                <span className="agent-skills-summary">
                  {skillsSummary(agents.get(u.id))} ·{' '}
                  {agents.get(u.id)?.defaultChannelCapacity ?? DEFAULT_CAPACITY} per channel
                </span>{' '}
                <button
                  type="button"
                  aria-label={`Edit skills of ${u.displayName || u.email}`}
                  aria-expanded={editing?.id === u.id}
                  onClick={() => {
                    setSaved(null);
                    setEditing(u);
                  }}
                >
                  Edit skills
                </button>
              </td>
              <td>
                {u.id !== me.id && (
                  <button
                    type="button"
                    onClick={() =>
                      void guard(() => api('PATCH', `/users/${u.id}`, { disabled: !u.disabled }).then(load))()
                    }
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {saved && (
        <p className="notice" role="status">
          {saved}
        </p>
      )}
      {editing && (
        <AgentSkillsForm
          key={editing.id}
          user={editing}
          agent={agents.get(editing.id)}
          skills={skills}
          guard={guard}
          onDone={skillsDone}
        />
      )}
      <form className="inline" onSubmit={(e) => void invite(e)}>
        <h3>Invite</h3>
        <TextInput
          label="Invite email"
          type="email"
          placeholder="email"
          value={email}
          onChange={setEmail}
          required
        />
        <TextInput label="Invite name" placeholder="name" value={name} onChange={setName} required />
        <select aria-label="Invite role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLE_OPTIONS}
        </select>
        <button type="submit">Create invite link</button>
      </form>
      {link && (
        <p className="invite-link">
          Send this link (valid 72 hours, once): <code>{link}</code>
        </p>
      )}
      {invites.filter((i) => !i.usedAt && !i.revokedAt).length > 0 && (
        <ul className="invites">
          {invites
            .filter((i) => !i.usedAt && !i.revokedAt)
            .map((i) => (
              <li key={i.id}>
                {i.email} ({i.role}) until {new Date(i.expiresAt).toLocaleString()}{' '}
                <RemoveButton
                  label="Revoke"
                  name={i.email}
                  guard={guard}
                  remove={() => api('DELETE', `/invites/${i.id}`)}
                  then={load}
                />
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

function CannedResponses({ guard }: { guard: Guard }) {
  const [items, load] = useLoaded(loadCanned, []);
  const [shortcut, setShortcut] = useState('');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const create = async (event: FormEvent) => {
    event.preventDefault();
    await guard(async () => {
      await api('POST', '/canned-responses', { shortcut, title, body });
      setShortcut('');
      setTitle('');
      setBody('');
      await load();
    })();
  };
  return (
    <section>
      <h2>Canned responses</h2>
      {items.length === 0 ? (
        <EmptyState title="No canned responses yet">
          Agents insert one by typing / and its shortcut in a reply. Add the answers you give most below.
        </EmptyState>
      ) : (
        <table className="data-table" aria-label="Canned responses">
          <thead>
            <tr>
              <th scope="col">Shortcut</th>
              <th scope="col">Title</th>
              <th scope="col">Text</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>
                  <code>/{c.shortcut}</code>
                </td>
                <td>{c.title}</td>
                <td className="clip" title={c.body}>
                  {c.body}
                </td>
                <td className="row-actions">
                  <RemoveButton
                    name={`/${c.shortcut}`}
                    guard={guard}
                    remove={() => api('DELETE', `/canned-responses/${c.id}`)}
                    then={load}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="stacked" onSubmit={(e) => void create(e)}>
        <TextInput label="Shortcut" placeholder="shortcut" value={shortcut} onChange={setShortcut} required />
        <TextInput label="Title" placeholder="title" value={title} onChange={setTitle} required />
        <textarea
          aria-label="Text"
          placeholder="text"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={2}
          required
        />
        <button type="submit">Add</button>
      </form>
    </section>
  );
}
