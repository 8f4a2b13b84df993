import { type FormEvent, useEffect, useState } from 'react';
import { type Me, api } from './api.js';
import { SignUpLink } from './SignUpPage.js';

type SignedIn = (user: Me, csrfToken: string) => void;

export function SignInPage({ onSignedIn }: { onSignedIn: SignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ user: Me; csrfToken: string }>('POST', '/session', { email, password });
      onSignedIn(result.user, result.csrfToken);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="signin" onSubmit={(e) => void submit(e)}>
      <h1>Sign in to Switchboard</h1>
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
        Password
        <input
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      <SignUpLink />
    </form>
  );
}

export function InvitePage({ token, onSignedIn }: { token: string; onSignedIn: SignedIn }) {
  const [invite, setInvite] = useState<{ email: string; displayName: string; role: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');

  useEffect(() => {
    api<{ email: string; displayName: string; role: string }>('POST', '/invites/lookup', { token })
      .then((found) => {
        setInvite(found);
        setDisplayName(found.displayName);
      })
      .catch((e: Error) => setError(e.message));
  }, [token]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const result = await api<{ user: Me; csrfToken: string }>('POST', '/invites/accept', {
        token,
        password,
        displayName,
      });
      onSignedIn(result.user, result.csrfToken);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <form className="signin" onSubmit={(e) => void submit(e)}>
      <h1>Join Switchboard</h1>
      {invite ? (
        <>
          <p>
            You were invited as <strong>{invite.role}</strong> with <strong>{invite.email}</strong>.
          </p>
          <label>
            Your name
            <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} required />
          </label>
          <label>
            Choose a password (at least 12 characters)
            <input
              type="password"
              autoComplete="new-password"
              minLength={12}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </label>
          <button type="submit">Create my account</button>
        </>
      ) : null}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
