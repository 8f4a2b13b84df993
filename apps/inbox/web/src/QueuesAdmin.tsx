import { type FormEvent, useState } from 'react';
import { ErrorText, type Guard, RemoveButton, ServerErrors, useFieldErrors, useLoaded } from './AdminForm.js';
import { type AgentView, type QueueView, api } from './api.js';
import { EmptyState } from './EmptyState.js';
import { ArrowDownIcon, ArrowUpIcon, PlusIcon, TrashIcon } from './icons.js';
import { KnownSkills, LevelField, SkillInput } from './SkillFields.js';
import { knownSkills } from './agent-skills.js';
import {
  type Comparison,
  type Condition,
  type StepDraft,
  type StepErrors,
  MAX_STEPS,
  MAX_WAIT_SECONDS,
  draftOf,
  newCondition,
  newStep,
  toRoutingSteps,
} from './routing-steps.js';

async function loadQueuesAndSkills() {
  const [q, a] = await Promise.all([
    api<{ queues: QueueView[] }>('GET', '/queues'),
    api<{ agents: AgentView[] }>('GET', '/agents').catch(() => ({ agents: [] as AgentView[] })),
  ]);
  return { queues: q.queues, skills: knownSkills(a.agents, q.queues) };
}

/** Queues in a table, and a form for one: name, mode and its routing steps as controls. */
export function QueuesAdmin({ guard }: { guard: Guard }) {
  const [{ queues, skills }, load] = useLoaded(loadQueuesAndSkills, {
    queues: [] as QueueView[],
    skills: [],
  });
  const [editing, setEditing] = useState<QueueView | null>(null);
  // A new key after each save or cancel: the form starts again from what it edits.
  const [formKey, setFormKey] = useState(0);
  const [saved, setSaved] = useState<string | null>(null);
  const done = async (savedName?: string) => {
    setSaved(savedName ? `Saved ${savedName}.` : null);
    setEditing(null);
    setFormKey((k) => k + 1);
    await load();
  };
  return (
    <section aria-labelledby="queues-heading">
      <h2 id="queues-heading">Queues and routing steps</h2>
      {queues.length === 0 ? (
        <EmptyState title="No queues yet">
          Every conversation waits in a queue; without one, routing offers it to any agent. Add the first
          below.
        </EmptyState>
      ) : (
        <table className="data-table" aria-label="Queues">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Mode</th>
              <th scope="col">Routing steps</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => (
              <tr key={q.id}>
                <td>{q.name}</td>
                <td>{q.mode === 'offer' ? 'offer to agents' : 'assign automatically'}</td>
                <td>
                  <ol className="step-summary">
                    {q.steps.map((s, i) => (
                      <li key={i}>
                        <code>{s.expression}</code>
                        {s.expiresAfterSeconds !== null ? ` for ${s.expiresAfterSeconds}s` : ''}
                      </li>
                    ))}
                    {q.steps.length === 0 && <li className="hint">any agent of the queue</li>}
                  </ol>
                </td>
                <td className="row-actions">
                  <button
                    type="button"
                    aria-label={`Edit ${q.name}`}
                    onClick={() => {
                      setSaved(null);
                      setEditing(q);
                      setFormKey((k) => k + 1);
                    }}
                  >
                    Edit
                  </button>
                  <RemoveButton
                    name={q.name}
                    guard={guard}
                    remove={() => api('DELETE', `/admin/queues/${q.id}`)}
                    then={load}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {saved && (
        <p className="notice" role="status">
          {saved}
        </p>
      )}
      <QueueForm key={formKey} queue={editing} skills={skills} guard={guard} onDone={done} />
    </section>
  );
}

function QueueForm({
  queue,
  skills,
  guard,
  onDone,
}: {
  queue: QueueView | null;
  skills: string[];
  guard: Guard;
  /** Called with the queue's name once saved, without it on cancel. */
  onDone: (savedName?: string) => Promise<void>;
}) {
  const [name, setName] = useState(queue?.name ?? '');
  const [mode, setMode] = useState<'auto' | 'offer'>(queue?.mode ?? 'auto');
  const [steps, setSteps] = useState<StepDraft[]>(() =>
    queue && queue.steps.length > 0 ? queue.steps.map(draftOf) : [newStep()],
  );
  const [errors, setErrors] = useState<StepErrors>({});
  const { violations, submit } = useFieldErrors(guard);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const checked = toRoutingSteps(steps);
    const found: StepErrors = { ...checked.errors };
    if (!name.trim()) found.name = 'Name the queue.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    await submit(async () => {
      // The queue's other settings (entry rules, service level, offers) go back as they were.
      const rest = queue
        ? {
            id: queue.id,
            priority: queue.priority,
            entry: queue.entry,
            serviceLevel: queue.serviceLevel,
            offerTimeoutSeconds: queue.offerTimeoutSeconds,
            maxMissedOffers: queue.maxMissedOffers,
            preferredAgent: queue.preferredAgent,
          }
        : {};
      await api('PUT', '/admin/queues', { ...rest, name: name.trim(), mode, steps: checked.steps });
      await onDone(name.trim());
    });
  };

  const problems = Object.keys(errors).length + violations.length;
  const update = (i: number, change: (step: StepDraft) => StepDraft) =>
    setSteps((all) => all.map((s, j) => (j === i ? change(s) : s)));
  const setCondition = (i: number, j: number, patch: Partial<Condition>) =>
    update(i, (s) => ({ ...s, conditions: s.conditions.map((x, k) => (k === j ? { ...x, ...patch } : x)) }));
  const move = (i: number, by: number) =>
    setSteps((all) => {
      const next = [...all];
      const [step] = next.splice(i, 1);
      next.splice(i + by, 0, step!);
      return next;
    });

  return (
    <form
      className="queue-form"
      noValidate
      onSubmit={(e) => void save(e)}
      aria-labelledby="queue-form-heading"
    >
      <h3 id="queue-form-heading">{queue ? `Edit queue ${queue.name}` : 'New queue'}</h3>
      {problems > 0 && (
        <p className="error" role="alert">
          {problems === 1 ? 'One thing to fix' : `${problems} things to fix`} before saving: see the marked
          fields.
        </p>
      )}
      <div className="form-row">
        <label className="field">
          <span className="field-label">Queue name</span>
          <input
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? 'queue-name-error' : undefined}
          />
          <ErrorText id="queue-name-error" text={errors.name} />
          <ServerErrors field="name" violations={violations} />
        </label>
        <label className="field">
          <span className="field-label">Queue mode</span>
          <select value={mode} onChange={(e) => setMode(e.target.value as 'auto' | 'offer')}>
            <option value="auto">assign automatically</option>
            <option value="offer">offer to agents</option>
          </select>
        </label>
      </div>
      <KnownSkills id="known-skills" skills={skills} />
      <p className="hint">
        Routing tries the first step; when its wait runs out, the next, wider one applies. After the last
        step's wait (or never, if it has none) any agent of the queue may take the conversation.
      </p>
      <ol className="steps-editor" aria-label="Routing steps">
        {steps.map((step, i) => (
          <li key={i} className="step-card">
            <fieldset>
              <legend>Step {i + 1}</legend>
              {step.custom !== null ? (
                <label className="field">
                  <span className="field-label">Step {i + 1} expression</span>
                  <input
                    value={step.custom}
                    onChange={(e) => update(i, (s) => ({ ...s, custom: e.target.value }))}
                    aria-invalid={errors[`steps.${i}.custom`] ? true : undefined}
                  />
                  <span className="hint">Written with OR, NOT or parentheses: edited as text.</span>
                  <ErrorText text={errors[`steps.${i}.custom`]} />
                </label>
              ) : (
                <div className="conditions">
                  {step.conditions.map((c, j) => {
                    const at = `steps.${i}.conditions.${j}`;
                    return (
                      <div className="condition" key={j}>
                        <SkillInput
                          label={`Skill ${j + 1} of step ${i + 1}`}
                          listId="known-skills"
                          value={c.skill}
                          onChange={(skill) => setCondition(i, j, { skill })}
                          errorId={`${at}.skill-error`}
                          error={errors[`${at}.skill`]}
                        />
                        <LevelField
                          label={`Level ${j + 1} of step ${i + 1}`}
                          value={c.level}
                          onChange={(level) => setCondition(i, j, { level })}
                          errorId={`${at}.level-error`}
                          error={errors[`${at}.level`]}
                          before={
                            <select
                              aria-label={`Level comparison ${j + 1} of step ${i + 1}`}
                              value={c.comparison}
                              onChange={(e) =>
                                setCondition(i, j, { comparison: e.target.value as Comparison })
                              }
                            >
                              <option value=">=">at least</option>
                              <option value="=">exactly</option>
                              <option value="<=">at most</option>
                            </select>
                          }
                        />
                        <button
                          type="button"
                          className="icon-button"
                          aria-label={`Remove skill ${j + 1} of step ${i + 1}`}
                          title="Remove this skill"
                          onClick={() =>
                            update(i, (s) => ({ ...s, conditions: s.conditions.filter((_, k) => k !== j) }))
                          }
                        >
                          <TrashIcon />
                        </button>
                      </div>
                    );
                  })}
                  <ErrorText text={errors[`steps.${i}.conditions`]} />
                  <button
                    type="button"
                    onClick={() =>
                      update(i, (s) => ({ ...s, conditions: [...s.conditions, newCondition()] }))
                    }
                  >
                    <PlusIcon /> Add a skill to step {i + 1}
                  </button>
                </div>
              )}
              <label className="field wait">
                <span className="field-label">Step {i + 1} wait (seconds)</span>
                <input
                  type="number"
                  min={1}
                  max={MAX_WAIT_SECONDS}
                  placeholder={i === steps.length - 1 ? 'never expires' : '60'}
                  value={step.wait}
                  onChange={(e) => update(i, (s) => ({ ...s, wait: e.target.value }))}
                  aria-invalid={errors[`steps.${i}.wait`] ? true : undefined}
                  aria-describedby={errors[`steps.${i}.wait`] ? `steps.${i}.wait-error` : undefined}
                />
                <ErrorText id={`steps.${i}.wait-error`} text={errors[`steps.${i}.wait`]} />
              </label>
              <ServerErrors field={`steps.${i}`} violations={violations} />
              <div className="step-actions">
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move step ${i + 1} up`}
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                >
                  <ArrowUpIcon />
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move step ${i + 1} down`}
                  disabled={i === steps.length - 1}
                  onClick={() => move(i, 1)}
                >
                  <ArrowDownIcon />
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove step ${i + 1}`}
                  onClick={() => setSteps((all) => all.filter((_, j) => j !== i))}
                >
                  <TrashIcon />
                </button>
              </div>
            </fieldset>
          </li>
        ))}
      </ol>
      <ErrorText text={errors.steps} />
      <ServerErrors field="steps" violations={violations.filter((v) => !/^steps\.\d/.test(v.field))} />
      <div className="form-actions">
        <button
          type="button"
          disabled={steps.length >= MAX_STEPS}
          onClick={() => setSteps((all) => [...all, newStep()])}
        >
          <PlusIcon /> Add step
        </button>
        <span className="spacer" />
        {queue && (
          <button type="button" onClick={() => void onDone()}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary">
          {queue ? 'Save queue' : 'Add queue'}
        </button>
      </div>
    </form>
  );
}
