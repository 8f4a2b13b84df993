/** A signed-in session of the inbox's HTTP API, as the SPA holds one. */
export interface InboxSession {
  /** What every state-changing call carries: `origin`, the session `cookie` and `x-csrf-token`. */
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON call to `/api/inbox<path>` in this session (`body`, when given, sent as JSON). */
  call(method: string, path: string, body?: unknown): Promise<Response>;
}

/** Signs in through `POST /api/inbox/session`; throws unless it answers 200. */
export async function signInToInboxApi(
  baseUrl: string,
  credentials: { readonly email: string; readonly password: string },
): Promise<InboxSession> {
  const login = await fetch(`${baseUrl}/api/inbox/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify(credentials),
  });
  if (login.status !== 200) throw new Error(`signing in as ${credentials.email} answered ${login.status}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = {
    origin: baseUrl,
    cookie: login.headers.getSetCookie()[0]!.split(';')[0]!,
    'x-csrf-token': csrfToken,
  };
  return {
    headers,
    call: (method, path, body) =>
      fetch(`${baseUrl}/api/inbox${path}`, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}

/** Who `addTeammate` invites, and the password they choose when they accept. */
export interface Teammate {
  readonly email: string;
  readonly displayName: string;
  readonly role: 'admin' | 'supervisor' | 'agent';
  readonly password: string;
}

/**
 * Invites a teammate in an admin's session (`POST /invites`) and accepts the link with their
 * password, as they would (`POST /invites/accept`); resolves to their user id. Throws unless both
 * succeed.
 */
export async function addTeammate(baseUrl: string, admin: InboxSession, teammate: Teammate): Promise<string> {
  const { password, ...invited } = teammate;
  const invite = await admin.call('POST', '/invites', invited);
  if (invite.status !== 201) throw new Error(`inviting ${teammate.email} answered ${invite.status}`);
  const { path } = (await invite.json()) as { path: string };
  const accepted = await fetch(`${baseUrl}/api/inbox/invites/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ token: path.split('/invite/')[1], password }),
  });
  if (accepted.status !== 200)
    throw new Error(`accepting ${teammate.email}'s invite answered ${accepted.status}`);
  return ((await accepted.json()) as { user: { id: string } }).user.id;
}
