import { useEffect, useState } from 'react';
import { ApiError, type Me, api } from './api.js';
import { AuthForm, Field } from './AuthForm.js';
import { SignUpLink } from './SignUpPage.js';

type SignedIn = (user: Me, csrfToken: string) => void;

interface WorkspaceChoice {
  workspaceId: string;
  name: string;
}

/**
 * Email and password; when they open several workspaces (users an admin invited by the same
 * email, not linked to one another), the server names those workspaces and the person picks one.
 */
export function SignInPage({ onSignedIn }: { onSignedIn: SignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [choices, setChoices] = useState<WorkspaceChoice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const signIn = async (workspaceId?: string) => {
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ user: Me; csrfToken: string }>('POST', '/session', {
        email,
        password,
        ...(workspaceId ? { workspaceId } : {}),
      });
      onSignedIn(result.user, result.csrfToken);
    } catch (e) {
      if (e instanceof ApiError && e.body.code === 'WORKSPACE_CHOICE_REQUIRED') {
        setChoices(e.body.workspaces as WorkspaceChoice[]);
      } else {
        setChoices(null);
        setError((e as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setChoices(null);
  };

  if (choices)
    return (
      <AuthForm
        title="Choose a workspace"
        onSubmit={() => Promise.resolve()}
        error={error}
        actions={
          <p className="signup-link">
            <a href="#/" onClick={() => setChoices(null)}>
              Back
            </a>
          </p>
        }
      >
        <p>{email} belongs to these workspaces:</p>
        <ul className="workspace-choices">
          {choices.map((choice) => (
            <li key={choice.workspaceId}>
              <button type="button" disabled={busy} onClick={() => void signIn(choice.workspaceId)}>
                {choice.name}
              </button>
            </li>
          ))}
        </ul>
      </AuthForm>
    );

  return (
    <AuthForm
      title="Sign in to Switchboard"
      onSubmit={() => signIn()}
      error={error}
      actions={
        <>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          <SignUpLink />
        </>
      }
    >
      <Field label="Email" type="email" autoComplete="username" value={email} onChange={edit(setEmail)} />
      <Field
        label="Password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={edit(setPassword)}
      />
    </AuthForm>
  );
}

interface InviteSummary {
  email: string;
  displayName: string;
  role: string;
  workspaceName: string;
}

/**
 * An invite link. Signed out: a new user with a password of their own. Signed in with the invited
 * email: one click joins, linked to the account, and switches there (ADR 0058).
 */
export function InvitePage({
  token,
  me,
  onSignedIn,
}: {
  token: string;
  me: Me | null;
  onSignedIn: SignedIn;
}) {
  const [invite, setInvite] = useState<InviteSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');

  useEffect(() => {
    api<InviteSummary>('POST', '/invites/lookup', { token })
      .then((found) => {
        setInvite(found);
        setDisplayName(found.displayName);
      })
      .catch((e: Error) => setError(e.message));
  }, [token]);

  const accept = async () => {
    setError(null);
    try {
      const result = me
        ? await api<{ user: Me; csrfToken: string }>('POST', '/invites/join', { token })
        : await api<{ user: Me; csrfToken: string }>('POST', '/invites/accept', {
            token,
            password,
            displayName,
          });
      onSignedIn(result.user, result.csrfToken);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const forMe = invite !== null && me !== null && invite.email === me.email.toLowerCase();
  return (
    <AuthForm
      title={invite ? `Join ${invite.workspaceName}` : 'Join Switchboard'}
      onSubmit={accept}
      error={error}
    >
      {invite && (
        <p>
          You were invited as <strong>{invite.role}</strong> with <strong>{invite.email}</strong>.
        </p>
      )}
      {invite && me === null && (
        <>
          <Field label="Your name" value={displayName} onChange={setDisplayName} />
          <Field
            label="Choose a password (at least 12 characters)"
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={password}
            onChange={setPassword}
          />
          <button type="submit">Create my account</button>
        </>
      )}
      {forMe && (
        <>
          <p>You are signed in with this email: join as yourself and switch to it.</p>
          <button type="submit">Join {invite.workspaceName}</button>
        </>
      )}
      {invite && me !== null && !forMe && (
        <p>
          You are signed in as <strong>{me.email}</strong>. Sign out to accept this invite as {invite.email}.
        </p>
      )}
    </AuthForm>
  );
}
