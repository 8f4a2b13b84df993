import type { ReactNode } from 'react';
import { ErrorText } from './AdminForm.js';

/**
 * A skill and its level as controls, shared by the routing steps form (Admin → Queues) and the
 * agents' skills form (Admin → Users): the skill is typed or picked from the workspace's known
 * skills (a `<datalist>`), the level is chosen from 1 to 5. Each shows its error beside it.
 */
export function KnownSkills({ id, skills }: { id: string; skills: readonly string[] }) {
  return (
    <datalist id={id}>
      {skills.map((s) => (
        <option key={s} value={s} />
      ))}
    </datalist>
  );
}

export function SkillInput({
  label,
  listId,
  value,
  onChange,
  errorId,
  error,
  children,
}: {
  /** The input's accessible name, e.g. "Skill 2 of step 1". */
  label: string;
  /** The id of the `KnownSkills` list to pick from. */
  listId: string;
  value: string;
  onChange: (value: string) => void;
  errorId: string;
  error: string | undefined;
  /** The API's errors for this field. */
  children?: ReactNode;
}) {
  return (
    <label className="field">
      <span className="field-label">Skill</span>
      <input
        aria-label={label}
        list={listId}
        placeholder="billing"
        maxLength={40}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      />
      <ErrorText id={errorId} text={error} />
      {children}
    </label>
  );
}

export const LEVELS = ['1', '2', '3', '4', '5'] as const;

export function LevelField({
  label,
  value,
  onChange,
  errorId,
  error,
  before,
  children,
}: {
  /** The level select's accessible name, e.g. "Level 2 of step 1". */
  label: string;
  value: string;
  onChange: (value: string) => void;
  errorId: string;
  error: string | undefined;
  /** A control before the level inside the field (the steps form's at least / exactly / at most). */
  before?: ReactNode;
  /** The API's errors for this field. */
  children?: ReactNode;
}) {
  return (
    <label className="field">
      <span className="field-label">Level</span>
      <span className="level">
        {before}
        <select
          aria-label={label}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        >
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </span>
      <ErrorText id={errorId} text={error} />
      {children}
    </label>
  );
}
