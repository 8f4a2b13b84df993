import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { InboxClient } from './inbox-client.fixture.js';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

/**
 * An agent's status change on node:http ahead of express (ADR 0150), beside the same request as
 * express and Nest answer it: an id with an escaped character is left to express (which decodes
 * it to the same id), so each case is asked both ways and must be answered alike.
 */
describe('the status change route ahead of express', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_status_route');
  });
  afterAll(async () => {
    await inbox?.close();
  });

  const ws = DEFAULT_WORKSPACE_ID;
  /** Both ways to the same conversation: the route's path, and one only express takes. */
  const paths = (id: string) => [
    `/api/inbox/conversations/${id}/status`,
    `/api/inbox/conversations/${id.replace('-', '%2D')}/status`,
  ];

  function conversation(assigneeId?: string) {
    const customer = inbox.history.addCustomer(ws, { name: 'Ada', channels: ['sms'] });
    const c = inbox.history.addConversation(customer);
    if (assigneeId !== undefined) inbox.history.conversations.get(c.id)!.assigneeId = assigneeId;
    return c;
  }

  it('resolves an own conversation both ways, with the same answer and headers', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const answers = [];
    for (const [way, path] of paths(conversation(agent.id).id).entries()) {
      const answer = await agent.client.post(path, { status: 'resolved' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'resolved', assigneeId: agent.id });
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      // main.ts turns express's ETag off (ADR 0147); this app leaves it on, and the route has none.
      if (way === 0) expect(answer.headers.get('etag')).toBeNull();
      answers.push(Object.keys(answer.body as object).sort());
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('refuses alike: no session, a wrong CSRF token, another origin, another agent’s, unknown, a bad status', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const other = await signedInUser(inbox, 'agent');
    const signedOut = new InboxClient(inbox.url);
    const theirs = conversation(other.id).id;
    const mine = conversation(agent.id).id;
    const cases: [string, (path: string) => ReturnType<InboxClient['post']>, number, string][] = [
      ['no session', (p) => signedOut.post(p, { status: 'resolved' }), 401, 'UNAUTHENTICATED'],
      [
        'a wrong CSRF token',
        (p) => agent.client.request('POST', p, { status: 'resolved' }, { 'x-csrf-token': 'nope' }),
        403,
        'PERMISSION_DENIED',
      ],
      [
        'another origin',
        (p) => agent.client.request('POST', p, { status: 'resolved' }, { origin: 'https://evil.example' }),
        403,
        'PERMISSION_DENIED',
      ],
      ['a bad status', (p) => agent.client.post(p, { status: 'closed' }), 400, 'INVALID_ARGUMENT'],
      [
        'no body',
        (p) => agent.client.request('POST', p, undefined, { 'content-type': 'application/json' }),
        400,
        'INVALID_ARGUMENT',
      ],
    ];
    for (const [what, ask, status, code] of cases) {
      const [route, express] = await Promise.all(paths(mine).map(ask));
      expect({ what, status: route!.status, body: route!.body }).toEqual({
        what,
        status,
        body: express!.body,
      });
      expect(express!.status).toBe(status);
      expect(route!.body.error.code).toBe(code);
    }
    for (const [what, id, status] of [
      ['another agent’s', theirs, 403],
      ['unknown', randomUUID(), 404],
    ] as const) {
      const [route, express] = await Promise.all(
        paths(id).map((p) => agent.client.post(p, { status: 'resolved' })),
      );
      expect({ what, status: route!.status, body: route!.body }).toEqual({
        what,
        status,
        body: express!.body,
      });
    }
    // Still open: nothing above changed it.
    expect(inbox.history.conversations.get(mine)!.status).toBe('open');
  });

  it('answers a body that is not JSON 400 in the inbox’s error shape, and counts the route under its template', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const id = conversation(agent.id).id;
    const response = await fetch(`${inbox.url}${paths(id)[0]}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: agent.client.cookie!,
        origin: inbox.url,
        'x-csrf-token': agent.client.csrfToken!,
      },
      body: '{"status": resolved',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: 'the body is not JSON' },
    });
    const metrics = await (await fetch(`${inbox.url}/metrics`)).text();
    expect(metrics).toMatch(
      /switchboard_http_request_duration_seconds_count\{method="POST",route="\/api\/inbox\/conversations\/:conversationId\/status",status="400"\} [1-9]/,
    );
  });
});
