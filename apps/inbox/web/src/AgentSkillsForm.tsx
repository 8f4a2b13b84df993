import { type FormEvent, useState } from 'react';
import { ErrorText, type Guard, ServerErrors, useFieldErrors } from './AdminForm.js';
import { type AgentView, type UserView, api } from './api.js';
import {
  DEFAULT_CAPACITY,
  MAX_CAPACITY,
  MAX_SKILLS,
  type SkillErrors,
  type SkillRow,
  newSkillRow,
  skillRowsOf,
  toAgentSkills,
} from './agent-skills.js';
import { PlusIcon, TrashIcon } from './icons.js';
import { KnownSkills, LevelField, SkillInput } from './SkillFields.js';

/**
 * One agent's skills (each with its level 1–5) and capacity per channel, as a form (Admin → Users).
 * Checked before sending, errors beside their control; the API's own beside the same control. The
 * agent's other routing settings (capacity per named channel, overall cap, queues) go back as they
 * were: routing replaces an agent whole.
 */
export function AgentSkillsForm({
  user,
  agent,
  skills,
  guard,
  onDone,
}: {
  user: UserView;
  agent: AgentView | undefined;
  /** The workspace's known skills, to pick from. */
  skills: readonly string[];
  guard: Guard;
  /** Called with the user's name once saved, without it on cancel. */
  onDone: (savedName?: string) => Promise<void>;
}) {
  const [rows, setRows] = useState<SkillRow[]>(() => skillRowsOf(agent));
  const [capacity, setCapacity] = useState(String(agent?.defaultChannelCapacity ?? DEFAULT_CAPACITY));
  // Checked from the first save on, then at every change: an error goes as soon as it is fixed,
  // and stays beside its row when another row is removed.
  const [tried, setTried] = useState(false);
  const { violations, submit } = useFieldErrors(guard);
  const name = user.displayName || user.email;
  const errors: SkillErrors = tried ? toAgentSkills(rows, capacity).errors : {};

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    const checked = toAgentSkills(rows, capacity);
    if (Object.keys(checked.errors).length > 0) return;
    await submit(async () => {
      const rest = agent
        ? {
            channelCapacity: agent.channelCapacity,
            maxConcurrent: agent.maxConcurrent,
            queueIds: agent.queueIds,
          }
        : {};
      await api('PUT', `/admin/agents/${user.id}`, {
        ...rest,
        skills: checked.skills,
        defaultChannelCapacity: checked.defaultChannelCapacity,
      });
      await onDone(name);
    });
  };

  const setRow = (i: number, patch: Partial<SkillRow>) =>
    setRows((all) => all.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  const problems = Object.keys(errors).length + violations.length;
  const rowViolation = (field: string) => /^skills\.\d+\./.test(field);

  return (
    <form
      className="agent-skills-form"
      noValidate
      onSubmit={(e) => void save(e)}
      aria-labelledby="agent-skills-heading"
    >
      <h3 id="agent-skills-heading">Skills and capacity of {name}</h3>
      {problems > 0 && (
        <p className="error" role="alert">
          {problems === 1 ? 'One thing to fix' : `${problems} things to fix`} before saving: see the marked
          fields.
        </p>
      )}
      <KnownSkills id="agent-known-skills" skills={skills} />
      {rows.length === 0 ? (
        <p className="hint">
          No skills yet: a routing step that asks for a skill passes {name} by. Add one below.
        </p>
      ) : (
        <ol className="conditions agent-skills" aria-label={`Skills of ${name}`}>
          {rows.map((row, i) => {
            const at = `skills.${i}`;
            return (
              <li className="condition" key={i}>
                <SkillInput
                  label={`Skill ${i + 1}`}
                  listId="agent-known-skills"
                  value={row.skill}
                  onChange={(skill) => setRow(i, { skill })}
                  errorId={`${at}.skill-error`}
                  error={errors[`${at}.skill`]}
                >
                  <ServerErrors field={`${at}.skill`} violations={violations} />
                </SkillInput>
                <LevelField
                  label={`Level of skill ${i + 1}`}
                  value={row.level}
                  onChange={(level) => setRow(i, { level })}
                  errorId={`${at}.proficiency-error`}
                  error={errors[`${at}.proficiency`]}
                >
                  <ServerErrors field={`${at}.proficiency`} violations={violations} />
                </LevelField>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove skill ${i + 1}`}
                  title="Remove this skill"
                  onClick={() => setRows((all) => all.filter((_, j) => j !== i))}
                >
                  <TrashIcon />
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <ErrorText text={errors.skills} />
      <div>
        <button
          type="button"
          disabled={rows.length >= MAX_SKILLS}
          onClick={() => setRows((all) => [...all, newSkillRow()])}
        >
          <PlusIcon /> Add a skill
        </button>
      </div>
      <label className="field capacity">
        <span className="field-label">Conversations at once per channel</span>
        <input
          aria-label="Conversations at once per channel"
          type="number"
          min={0}
          max={MAX_CAPACITY}
          value={capacity}
          onChange={(e) => setCapacity(e.target.value)}
          aria-invalid={errors.defaultChannelCapacity ? true : undefined}
          aria-describedby={errors.defaultChannelCapacity ? 'agent-capacity-error' : undefined}
        />
        <ErrorText id="agent-capacity-error" text={errors.defaultChannelCapacity} />
        <ServerErrors field="defaultChannelCapacity" violations={violations} />
      </label>
      {/* The API's findings on no control of this form (the list as a whole, the body). */}
      {violations
        .filter((v) => !rowViolation(v.field) && v.field !== 'defaultChannelCapacity')
        .map((v, k) => (
          <span key={k} className="field-error" role="alert">
            {v.field === 'skills' || v.field === '(body)' ? '' : `${v.field}: `}
            {v.description}
          </span>
        ))}
      <div className="form-actions">
        <span className="spacer" />
        <button type="button" onClick={() => void onDone()}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Save skills
        </button>
      </div>
    </form>
  );
}
