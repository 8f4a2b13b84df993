import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError } from './api.js';

/** What an admin section needs to report a failure: the page shows the message. */
export type Guard = (work: () => Promise<unknown>) => () => Promise<void>;

export interface FieldViolation {
  field: string;
  description: string;
}

/** Data an admin section shows, loaded on mount and again after each change. */
export function useLoaded<T>(load: () => Promise<T>, initial: T): [T, () => Promise<void>] {
  const [value, setValue] = useState<T>(initial);
  const reload = useCallback(async () => setValue(await load()), [load]);
  useEffect(() => void reload(), [reload]);
  return [value, reload];
}

/**
 * Runs a form's request; a 400 with field violations is kept for the form's fields to show beside
 * their inputs, anything else goes to the page's error line.
 */
export function useFieldErrors(guard: Guard) {
  const [violations, setViolations] = useState<FieldViolation[]>([]);
  const submit = (work: () => Promise<unknown>) =>
    guard(async () => {
      setViolations([]);
      try {
        await work();
      } catch (error) {
        if (error instanceof ApiError && error.fieldViolations.length > 0)
          setViolations(error.fieldViolations);
        else throw error;
      }
    })();
  return { violations, submit };
}

/** A labelled input with the violations of its field (and of the fields under it) below it. */
export function Field({
  label,
  name,
  violations = [],
  children,
}: {
  label: string;
  /** The field path the API names, e.g. `appearance.theme.color`; violations under it are shown. */
  name?: string;
  violations?: FieldViolation[];
  children: ReactNode;
}) {
  const mine = name ? violations.filter((v) => v.field === name || v.field.startsWith(`${name}.`)) : [];
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {mine.map((v, i) => (
        <span key={i} className="field-error" role="alert">
          {v.description}
        </span>
      ))}
    </label>
  );
}

/** A list row's remove button, through the page's guard, then the list's reload. */
export function RemoveButton({
  label = 'Delete',
  name,
  guard,
  remove,
  then,
}: {
  label?: string;
  /** Named for screen readers and tests: "Delete <name>". */
  name: string;
  guard: Guard;
  remove: () => Promise<unknown>;
  then: () => Promise<void>;
}) {
  return (
    <button
      type="button"
      aria-label={`${label} ${name}`}
      onClick={() => void guard(() => remove().then(then))()}
    >
      {label}
    </button>
  );
}

/** A text input bound to a state setter, labelled for screen readers. */
export function TextInput({
  label,
  value,
  onChange,
  ...rest
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  type?: string;
  required?: boolean;
  autoComplete?: string;
}) {
  return <input aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} {...rest} />;
}

/** A form's own finding under its control (`aria-describedby` points at the id). */
export function ErrorText({ id, text }: { id?: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <span className="field-error" id={id}>
      {text}
    </span>
  );
}

/** What the API refused under a field (a step's expression it could not parse, a skill's level). */
export function ServerErrors({ field, violations }: { field: string; violations: FieldViolation[] }) {
  const mine = violations.filter((v) => v.field === field || v.field.startsWith(`${field}.`));
  return (
    <>
      {mine.map((v, k) => (
        <span key={k} className="field-error" role="alert">
          {v.description}
        </span>
      ))}
    </>
  );
}
