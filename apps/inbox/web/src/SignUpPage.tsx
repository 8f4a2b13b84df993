import { useEffect, useState } from 'react';
import { type Me, api } from './api.js';
import { AuthForm, Field } from './AuthForm.js';

type SignedIn = (user: Me, csrfToken: string) => void;

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** "Create a workspace" under the sign-in form, when the operator leaves sign-up on. */
export function SignUpLink() {
  const [enabled, setEnabled] = useState(false);
  useEffect(() => {
    api<{ enabled: boolean }>('GET', '/signup')
      .then((r) => setEnabled(r.enabled))
      .catch(() => setEnabled(false));
  }, []);
  if (!enabled) return null;
  return (
    <p className="signup-link">
      New to Switchboard? <a href="#/signup">Create a workspace</a>
    </p>
  );
}

/** Sign-up: a new workspace for a business, and its first admin, signed in at once. */
export function SignUpPage({ onSignedIn }: { onSignedIn: SignedIn }) {
  const [workspaceName, setWorkspaceName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [timeZone, setTimeZone] = useState(browserTimeZone);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ user: Me; csrfToken: string }>('POST', '/signup', {
        workspaceName,
        displayName,
        email,
        password,
        timeZone,
      });
      onSignedIn(result.user, result.csrfToken);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthForm
      title="Create a workspace"
      onSubmit={submit}
      error={error}
      actions={
        <>
          <button type="submit" disabled={busy}>
            Create workspace
          </button>
          <p className="signup-link">
            Already have an account? <a href="#/">Sign in</a>
          </p>
        </>
      }
    >
      <Field label="Business or team name" value={workspaceName} onChange={setWorkspaceName} />
      <Field label="Your name" autoComplete="name" value={displayName} onChange={setDisplayName} />
      <Field label="Email" type="email" autoComplete="username" value={email} onChange={setEmail} />
      <Field
        label="Password (12 characters or more)"
        type="password"
        autoComplete="new-password"
        minLength={12}
        value={password}
        onChange={setPassword}
      />
      <Field label="Time zone" value={timeZone} onChange={setTimeZone} />
    </AuthForm>
  );
}
