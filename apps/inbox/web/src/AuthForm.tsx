import type { FormEvent, ReactNode } from 'react';

/** The centred card of the pages before sign-in: sign-in, sign-up, an invite. */
export function AuthForm({
  title,
  onSubmit,
  error,
  children,
  actions,
}: {
  title: string;
  onSubmit: () => Promise<void>;
  error: string | null;
  children: ReactNode;
  /** Below the error: the submit button and links. */
  actions?: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onSubmit();
  };
  return (
    <form className="signin" onSubmit={submit}>
      <h1>{title}</h1>
      {children}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {actions}
    </form>
  );
}

/** A labelled input of those forms. */
export function Field({
  label,
  value,
  onChange,
  type = 'text',
  autoComplete,
  minLength,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'email' | 'password';
  autoComplete?: string;
  minLength?: number;
}) {
  return (
    <label>
      {label}
      <input
        type={type}
        autoComplete={autoComplete}
        minLength={minLength}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
      />
    </label>
  );
}
