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
