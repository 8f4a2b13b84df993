import { type FormEvent, useState } from 'react';
import { type Guard, RemoveButton } from './AdminForm.js';
import { api } from './api.js';
import { EmptyState } from './EmptyState.js';
import { LabelChips } from './LabelChips.js';
import { useLabels } from './labels.js';

/** Admin → Labels: create, rename, recolour and delete the workspace's labels (ADR 0115). */
export function LabelsAdmin({ guard }: { guard: Guard }) {
  const [labels, reload, loaded] = useLabels();
  const [name, setName] = useState('');
  const [colour, setColour] = useState('#3b82f6');
  const create = async (event: FormEvent) => {
    event.preventDefault();
    await guard(async () => {
      await api('POST', '/labels', { name, colour });
      setName('');
      await reload();
    })();
  };
  const patch = (id: string, body: { name?: string; colour?: string }) =>
    guard(async () => {
      await api('PATCH', `/labels/${id}`, body);
      await reload();
    })();
  return (
    <section aria-label="Labels">
      <h2>Labels</h2>
      {loaded && labels.length === 0 && (
        <EmptyState title="No labels yet">
          Agents put labels such as “billing” or “VIP” on conversations and customers, then filter the list
          and the search by them. Add the first below.
        </EmptyState>
      )}
      <ul className="labels-admin">
        {labels.map((l) => (
          <li key={l.id}>
            <LabelChips ids={[l.id]} labels={labels} />{' '}
            <input
              aria-label={`Name of ${l.name}`}
              defaultValue={l.name}
              maxLength={40}
              onBlur={(e) => e.target.value.trim() !== l.name && void patch(l.id, { name: e.target.value })}
            />{' '}
            <input
              type="color"
              aria-label={`Colour of ${l.name}`}
              defaultValue={l.colour}
              onChange={(e) => void patch(l.id, { colour: e.target.value })}
            />{' '}
            <RemoveButton
              name={l.name}
              guard={guard}
              remove={() => api('DELETE', `/labels/${l.id}`)}
              then={reload}
            />
          </li>
        ))}
      </ul>
      <form className="inline" onSubmit={(e) => void create(e)}>
        <input
          aria-label="Label name"
          placeholder="billing"
          value={name}
          maxLength={40}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <input
          type="color"
          aria-label="Label colour"
          value={colour}
          onChange={(e) => setColour(e.target.value)}
        />
        <button type="submit">Add label</button>
      </form>
    </section>
  );
}
