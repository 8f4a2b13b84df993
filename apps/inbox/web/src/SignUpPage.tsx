import { type FormEvent, useEffect, useState } from 'react';
import { type Me, api } from './api.js';

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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
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
    <form className="signin" onSubmit={(e) => void submit(e)}>
      <h1>Create a workspace</h1>
      <label>
        Business or team name
        <input value={workspaceName} onChange={(e) => setWorkspaceName(e.target.value)} required />
      </label>
      <label>
        Your name
        <input
          autoComplete="name"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          required
        />
      </label>
      <label>
        Email
        <input
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
      </label>
      <label>
        Password (12 characters or more)
        <input
          type="password"
          autoComplete="new-password"
          minLength={12}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <label>
        Time zone
        <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Create workspace
      </button>
      <p className="signup-link">
        Already have an account? <a href="#/">Sign in</a>
      </p>
    </form>
  );
}
