/**
 * A browser-like client of the inbox API: keeps the session cookie, sends the CSRF token on
 * state-changing requests and an Origin like the SPA's.
 */
export class InboxClient {
  cookie: string | undefined;
  /** `sb_inbox_device=…`: the browser's sign-in trust cookie, kept like a browser keeps it. */
  deviceCookie: string | undefined;
  csrfToken: string | undefined;
  /** Sent on every request, e.g. `x-forwarded-for` to sign in from another address. */
  headers: Record<string, string> = {};

  constructor(
    readonly baseUrl: string,
    readonly origin: string = baseUrl,
  ) {}

  async login(email: string, password: string): Promise<InboxResponse> {
    const response = await this.request('POST', '/api/inbox/session', { email, password });
    if (response.status === 200) this.csrfToken = (response.body as { csrfToken: string }).csrfToken;
    return response;
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body?: unknown) => this.request('POST', path, body);
  put = (path: string, body?: unknown) => this.request('PUT', path, body);
  patch = (path: string, body?: unknown) => this.request('PATCH', path, body);
  delete = (path: string) => this.request('DELETE', path);

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<InboxResponse> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie || this.deviceCookie
          ? { cookie: [this.cookie, this.deviceCookie].filter(Boolean).join('; ') }
          : {}),
        ...(method !== 'GET' ? { origin: this.origin } : {}),
        ...(method !== 'GET' && this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
        ...this.headers,
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const setCookie = response.headers.getSetCookie();
    for (const line of setCookie) {
      const [pair] = line.split(';');
      if (pair?.startsWith('sb_inbox_session=')) {
        const value = pair.slice('sb_inbox_session='.length);
        this.cookie = value ? pair : undefined;
      }
      if (pair?.startsWith('sb_inbox_device=')) {
        const value = pair.slice('sb_inbox_device='.length);
        this.deviceCookie = value ? pair : undefined;
      }
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers, setCookie };
  }
}

export interface InboxResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read what they need
  headers: Headers;
  setCookie: string[];
}
