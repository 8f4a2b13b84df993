import { randomUUID } from 'node:crypto';
import {
  ConversationStatusChangedV1,
  type CsatSubmittedV1,
  type InboundMessageReceivedV1,
  ParticipantActivityV1,
} from '@switchboard/contracts';
import { ATTACHMENT_STORE, type AttachmentStore } from '@switchboard/platform';
import { settle, waitFor } from '@switchboard/testing';
import { userHash } from '../src/contacts/identity-verification.util.js';
import { type WebTestApp, WidgetClient, startWebTestApp } from './web-test-app.js';

/**
 * The customer socket protocol against the channel on the real broker and PostgreSQL: every reply
 * injected as MessageDeliveryRequestedV1 on the bus, every customer message checked on the bus.
 */
describe('widget protocol', () => {
  let t: WebTestApp;
  let origin: string;
  const clients: WidgetClient[] = [];
  const connect = async (from = origin) => {
    const client = await WidgetClient.connect(t.wsUrl, from);
    clients.push(client);
    return client;
  };
  const inboundFrom = (address: string) =>
    t.inbound.filter(
      (e): e is InboundMessageReceivedV1 =>
        e.type === 'inbound.message.received' && e.payload.sender.address === address,
    );

  beforeAll(async () => {
    // The test process is the app's only peer: trusted as a proxy, so a test may say, in
    // X-Forwarded-For, which visitor's address a socket is from (no test sends one by accident).
    t = await startWebTestApp('web_protocol', { env: { TRUSTED_PROXIES: '127.0.0.1,::1' } });
    origin = t.url;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await t?.close();
  });

  async function newVisitor(): Promise<{ client: WidgetClient; token: string; visitorId: string }> {
    const client = await connect();
    const welcome = await client.hello();
    const token = welcome.token as string;
    const id = randomUUID();
    client.send({ t: 'msg', id, text: 'hello' });
    await client.next((m) => m.t === 'ack' && m.id === id, 'ack');
    const event = await waitFor(
      () =>
        t.inbound.find(
          (e) => e.type === 'inbound.message.received' && e.payload.providerMessageId.endsWith(id),
        ),
      {
        what: 'inbound event',
      },
    );
    return { client, token, visitorId: (event as InboundMessageReceivedV1).payload.sender.address };
  }

  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

  /** A new visitor who uploads `png` and sends it: the visitor, and the file as history receives it. */
  async function visitorSentPng() {
    const sender = await newVisitor();
    const stored = await fetch(`${t.url}/widget/attachments?key=${t.widgetKey}`, {
      method: 'POST',
      headers: {
        origin,
        'content-type': 'image/png',
        'x-file-name': 'plan.png',
        'x-visitor-token': sender.token,
      },
      body: new Uint8Array(png),
    });
    const uploaded = (await stored.json()) as { id: string };
    const sent = randomUUID();
    sender.client.send({ t: 'msg', id: sent, attachments: [uploaded.id] });
    await sender.client.next((m) => m.t === 'ack' && m.id === sent, 'ack');
    const inbound = await waitFor(
      () => inboundFrom(sender.visitorId).find((e) => e.payload.attachments.length > 0),
      { what: 'inbound with attachment' },
    );
    return { sender, file: inbound.payload.attachments[0]! };
  }

  it('publishes a visitor’s message before acknowledging it, as a web_visitor sender', async () => {
    const client = await connect();
    const welcome = await client.hello();
    expect(welcome.token).toMatch(/^vt_/);
    const id = randomUUID();
    client.send({ t: 'msg', id, text: 'Where is my order?' });
    const ack = await client.next((m) => m.t === 'ack', 'ack');
    expect(ack).toMatchObject({ id, seq: 1 });
    const event = await waitFor(
      () =>
        t.inbound.find(
          (e) => e.type === 'inbound.message.received' && e.payload.providerMessageId.endsWith(id),
        ),
      { what: 'inbound' },
    );
    const payload = (event as InboundMessageReceivedV1).payload;
    expect(payload).toMatchObject({
      channel: 'web',
      channelAccountId: t.widgetKey,
      text: 'Where is my order?',
    });
    expect(payload.sender).toMatchObject({ kind: 'web_visitor', verified: false });
    expect(event.workspaceId).toBe(t.workspaceId);
    // The same client id again (a retry after a lost ack) is acknowledged without a second event.
    client.send({ t: 'msg', id, text: 'Where is my order?' });
    await waitFor(() => client.messages('ack').length === 2, { what: 'second ack' });
    await settle(1000);
    expect(inboundFrom(payload.sender.address)).toHaveLength(1);
  });

  it('replays what a reconnecting tab missed, by sequence, without gaps or duplicates', async () => {
    const { client, token, visitorId } = await newVisitor();
    for (let i = 1; i <= 5; i += 1) await t.reply({ kind: 'web_visitor', address: visitorId }, `before ${i}`);
    await waitFor(() => client.items().length === 6, { what: '6 items live' });
    const lastSeq = client.items().at(-1)!.seq;
    await client.close();

    // Replies while the socket is down, some racing the reconnect.
    for (let i = 1; i <= 20; i += 1)
      await t.reply({ kind: 'web_visitor', address: visitorId }, `missed ${i}`);
    const again = await connect();
    const racing = Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.reply({ kind: 'web_visitor', address: visitorId }, `racing ${i + 1}`),
      ),
    );
    const welcome = await again.hello({ token, since: lastSeq });
    expect(welcome.token).toBe(token);
    await racing;
    await waitFor(() => again.items().length === 40, { what: '40 items after resume' });
    await settle(500);
    const seqs = again.items().map((item) => item.seq);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => lastSeq + 1 + i));
    expect(
      again
        .items()
        .slice(0, 20)
        .map((item) => item.text),
    ).toEqual(Array.from({ length: 20 }, (_, i) => `missed ${i + 1}`));
    // A fresh page (no since) shows the recent transcript in order.
    const fresh = await connect();
    await fresh.hello({ token });
    await waitFor(() => fresh.items().length === 46, { what: 'history on a fresh page' });
    expect(fresh.items().map((i) => i.seq)).toEqual(Array.from({ length: 46 }, (_, i) => i + 1));
  });

  it('keeps several tabs in step and reports delivered once, read on the read receipt', async () => {
    const { client: tabA, token, visitorId } = await newVisitor();
    const tabB = await connect();
    await tabB.hello({ token });
    await waitFor(() => tabB.items().length === 1, { what: 'tab B history' });
    const messageId = await t.reply({ kind: 'web_visitor', address: visitorId }, 'Hi, Alex here', {
      agentName: 'Alex Agent',
    });
    const inA = await tabA.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === messageId,
      'reply in A',
    );
    await tabB.next((m) => m.t === 'item' && (m.item as { id: string }).id === messageId, 'reply in B');
    expect(inA.item).toMatchObject({ dir: 'out', author: { name: 'Alex Agent', type: 'agent' } });
    // A message from tab B shows in tab A.
    const fromB = randomUUID();
    tabB.send({ t: 'msg', id: fromB, text: 'from tab B' });
    await tabA.next((m) => m.t === 'item' && (m.item as { id: string }).id === fromB, 'B’s message in A');

    const statusesOf = (status: string) =>
      t.statuses.filter((s) => s.payload.messageId === messageId && s.payload.status === status);
    await waitFor(() => statusesOf('delivered').length === 1, { what: 'delivered' });
    expect(statusesOf('sent')).toHaveLength(1);
    // One publish may carry both (a flush's `sent`, then its `delivered`): still in that order.
    expect(t.statuses.indexOf(statusesOf('sent')[0]!)).toBeLessThan(
      t.statuses.indexOf(statusesOf('delivered')[0]!),
    );
    tabA.send({ t: 'read', seq: (inA.item as { seq: number }).seq });
    await waitFor(() => statusesOf('read').length === 1, { what: 'read' });
    await tabB.next((m) => m.t === 'read', 'read in the other tab');
    await settle(500);
    expect(statusesOf('delivered')).toHaveLength(1);
  });

  it('keeps replies for a visitor with no open socket and shows them on the next visit', async () => {
    const { client, token, visitorId } = await newVisitor();
    await client.close();
    const messageId = await t.reply(
      { kind: 'web_visitor', address: visitorId },
      'answered while you were away',
    );
    await waitFor(
      () => t.statuses.find((s) => s.payload.messageId === messageId && s.payload.status === 'sent'),
      { what: 'sent' },
    );
    expect(
      t.statuses.filter((s) => s.payload.messageId === messageId && s.payload.status === 'delivered'),
    ).toHaveLength(0);
    const later = await connect();
    await later.hello({ token });
    await later.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === messageId,
      'reply on next visit',
    );
    await waitFor(
      () => t.statuses.find((s) => s.payload.messageId === messageId && s.payload.status === 'delivered'),
      { what: 'delivered' },
    );
  });

  it('reports a reply to an unknown visitor as failed', async () => {
    const messageId = await t.reply({ kind: 'web_visitor', address: 'v_nobody' }, 'hello?');
    const failed = await waitFor(() => t.statuses.find((s) => s.payload.messageId === messageId), {
      what: 'status',
    });
    expect(failed.payload).toMatchObject({ status: 'failed', errorCode: 'unknown_recipient' });
  });

  it('refuses pages from origins the workspace did not allow, and unknown widget keys', async () => {
    const evil = await connect('https://evil.example.com');
    await waitFor(() => evil.closeCode, { what: 'close' });
    expect(evil.closeCode).toBe(4003);
    const noOrigin = await WidgetClient.connect(t.wsUrl, undefined);
    clients.push(noOrigin);
    await waitFor(() => noOrigin.closeCode, { what: 'close' });
    expect(noOrigin.closeCode).toBe(4003);

    await t.settings.update(t.workspaceId, { allowedOrigins: ['https://shop.example.com'] });
    // The settings cache lets a change show within seconds; a new service read sees it at once.
    await waitFor(
      async () => {
        const shop = await connect('https://shop.example.com');
        await settle(200);
        return shop.closeCode === undefined ? shop : null;
      },
      { what: 'allowed origin accepted', timeoutMs: 10_000, intervalMs: 1000 },
    );
    const unknown = await WidgetClient.connect(t.wsUrl.replace(t.widgetKey, 'wk_unknownunknown'), origin);
    clients.push(unknown);
    await waitFor(() => unknown.closeCode, { what: 'close' });
    expect(unknown.closeCode).toBe(4004);
  });

  it('limits a visitor’s rate with a clear error, and publishes only what it acknowledged', async () => {
    const { client, visitorId } = await newVisitor();
    const ids = Array.from({ length: 15 }, () => randomUUID());
    for (const id of ids) client.send({ t: 'msg', id, text: `flood ${id}` });
    await waitFor(() => client.messages('ack').length + client.messages('error').length === 16, {
      what: 'answers',
    });
    const limited = client.messages('error').filter((m) => m.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({
      message: expect.stringMatching(/Too many messages: wait \d+ s/),
      retryAfterMs: expect.any(Number),
    });
    const acked = client.messages('ack').length;
    await settle(1500);
    expect(inboundFrom(visitorId)).toHaveLength(acked);
  });

  it('counts new visitors behind a trusted proxy by the address it forwards, not its own', async () => {
    const behind = async (address: string) => {
      // The left entry is the client's own claim: never believed.
      const client = await WidgetClient.connect(t.wsUrl, origin, {
        'x-forwarded-for': `203.0.113.50, ${address}`,
      });
      clients.push(client);
      client.send({ t: 'hello' });
      return client.next((m) => m.t === 'welcome' || m.t === 'error', 'welcome or refusal');
    };
    const crowded = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    let refusal: Record<string, unknown> | undefined;
    let welcomed = 0;
    // 30 new visitors per address at once (refilled at one per 2 s while this runs).
    for (let i = 0; i < 40 && refusal === undefined; i++) {
      const answer = await behind(crowded);
      if (answer.t === 'welcome') welcomed += 1;
      else refusal = answer;
    }
    expect(welcomed).toBeGreaterThanOrEqual(30);
    expect(refusal).toMatchObject({ t: 'error', code: 'rate_limited' });
    // Another visitor behind the same proxy, with the same made-up left entry, is someone else.
    expect(await behind('192.0.2.77')).toMatchObject({ t: 'welcome' });
  });

  it('refuses frames that are not the protocol, and oversized ones', async () => {
    const client = await connect();
    client.send({ t: 'msg', id: randomUUID(), text: 'too early' });
    await client.next((m) => m.t === 'error' && m.code === 'not_ready', 'not_ready');
    await client.hello();
    client.socket.send('not json');
    client.send({ t: 'msg', id: randomUUID(), text: 'x'.repeat(4001) });
    await waitFor(() => client.messages('error').filter((m) => m.code === 'bad_request').length === 2, {
      what: 'bad requests',
    });
    client.socket.send(JSON.stringify({ t: 'msg', id: randomUUID(), text: 'y'.repeat(20_000) }));
    await waitFor(() => client.closeCode, { what: 'closed on an oversized frame' });
    expect(client.closeCode).toBe(1009);
  });

  it('keeps script payloads as text, both ways', async () => {
    const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    const { client, visitorId } = await newVisitor();
    const id = randomUUID();
    client.send({ t: 'msg', id, text: payload });
    await client.next((m) => m.t === 'ack' && m.id === id, 'ack');
    const event = await waitFor(() => inboundFrom(visitorId).find((e) => e.payload.text === payload), {
      what: 'inbound',
    });
    expect(event.payload.text).toBe(payload);
    const replyId = await t.reply({ kind: 'web_visitor', address: visitorId }, payload);
    const item = await client.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === replyId,
      'reply',
    );
    expect((item.item as { text: string }).text).toBe(payload);
  });

  it('verifies users by the site’s HMAC, and shows them their conversations on any device', async () => {
    const { identitySecret } = await t.settings.get(t.workspaceId);
    const user = {
      id: `user-${randomUUID()}`,
      email: 'Ada@Example.com',
      phone: '+1 415 555 0199',
      name: 'Ada',
    };
    const laptop = await connect();
    const signed = { ...user, hash: userHash(identitySecret, user) };
    const welcome = await laptop.hello({ user: signed });
    expect(welcome.token).toBeUndefined();
    expect(welcome.contact).toMatchObject({ verified: true, name: 'Ada' });
    const id = randomUUID();
    laptop.send({ t: 'msg', id, text: 'from my laptop' });
    await laptop.next((m) => m.t === 'ack', 'ack');
    const event = await waitFor(() => inboundFrom(user.id)[0], { what: 'inbound from user' });
    expect(event.payload.sender).toMatchObject({
      kind: 'web_user',
      address: user.id,
      verified: true,
      displayName: 'Ada',
      identities: [
        { kind: 'email', address: 'ada@example.com', verified: true },
        { kind: 'phone', address: '+14155550199', verified: true },
      ],
    });
    await t.reply({ kind: 'web_user', address: user.id }, 'answer for Ada');

    const phone = await connect();
    await phone.hello({ user: { id: user.id, hash: userHash(identitySecret, { id: user.id }) } });
    await waitFor(() => phone.items().length === 2, { what: 'history on the phone' });
    expect(phone.items().map((i) => i.text)).toEqual(['from my laptop', 'answer for Ada']);

    const forged = await connect();
    forged.send({ t: 'hello', user: { id: user.id, hash: userHash('guessed', { id: user.id }) } });
    await waitFor(() => forged.closeCode, { what: 'forged identity closed' });
    expect(forged.closeCode).toBe(4001);
    expect(forged.items()).toHaveLength(0);

    // A signed-in user who edits the page to claim someone else's phone (and with it their SMS
    // history) is refused: the site's hash covers the phone it vouched for.
    for (const claim of [{ phone: '+14155550100' }, { email: 'victim@example.com' }]) {
      const edited = await connect();
      edited.send({ t: 'hello', user: { ...signed, ...claim } });
      await waitFor(() => edited.closeCode, { what: 'edited identity closed' });
      expect(edited.closeCode).toBe(4001);
    }
    // Nor can the hash of the id alone carry a phone the site never signed.
    const added = await connect();
    added.send({
      t: 'hello',
      user: { id: user.id, hash: userHash(identitySecret, { id: user.id }), phone: '+14155550100' },
    });
    await waitFor(() => added.closeCode, { what: 'unsigned phone closed' });
    expect(added.closeCode).toBe(4001);

    // An anonymous visitor sees only their own session, and another workspace's token reads as unknown.
    const stranger = await connect();
    const strangerWelcome = await stranger.hello({ token: 'vt_' + 'A'.repeat(43) });
    expect(strangerWelcome.token).not.toBe('vt_' + 'A'.repeat(43));
    await settle(300);
    expect(stranger.items()).toHaveLength(0);
  });

  it('brings what a visitor said anonymously to the user they sign in as on that browser', async () => {
    const { identitySecret } = await t.settings.get(t.workspaceId);
    const { client, token, visitorId } = await newVisitor();
    const answered = await t.reply({ kind: 'web_visitor', address: visitorId }, 'anonymous answer');
    await client.next((m) => m.t === 'item' && (m.item as { id: string }).id === answered, 'reply');
    await client.close();

    const user = { id: `user-${randomUUID()}`, hash: '' };
    user.hash = userHash(identitySecret, user);
    const signedIn = await connect();
    await signedIn.hello({ user, token });
    await waitFor(() => signedIn.items().length === 2, { what: 'anonymous history after sign-in' });
    expect(signedIn.items().map((i) => [i.seq, i.text])).toEqual([
      [1, 'hello'],
      [2, 'anonymous answer'],
    ]);
    // On any device, as the user's own history.
    const phone = await connect();
    await phone.hello({ user });
    await waitFor(() => phone.items().length === 2, { what: 'history on another device' });
    // A reply to the conversation the visitor started reaches the user.
    const later = await t.reply({ kind: 'web_visitor', address: visitorId }, 'reply after sign-in');
    await signedIn.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === later,
      'reply to the user',
    );
    await phone.next((m) => m.t === 'item' && (m.item as { id: string }).id === later, 'reply on the phone');
    // The user's messages tell history the visitor was them (verified: the site signed them in
    // while their browser held its token), so history joins the anonymous customer too.
    const said = randomUUID();
    signedIn.send({ t: 'msg', id: said, text: 'signed in now' });
    await signedIn.next((m) => m.t === 'ack', 'ack');
    const event = await waitFor(
      () =>
        t.inbound.find(
          (e) => e.type === 'inbound.message.received' && e.payload.providerMessageId.endsWith(said),
        ),
      { what: 'the signed-in message' },
    );
    expect((event as InboundMessageReceivedV1).payload.sender).toMatchObject({
      kind: 'web_user',
      address: user.id,
      verified: true,
      identities: [{ kind: 'web_visitor', address: visitorId, verified: true }],
    });

    // The token is retired: after signing out, the browser is a new visitor who sees nothing.
    const signedOut = await connect();
    const fresh = await signedOut.hello({ token });
    expect(fresh.token).not.toBe(token);
    // And another user can't take the history with it.
    const other = { id: `user-${randomUUID()}`, hash: '' };
    other.hash = userHash(identitySecret, other);
    const otherTab = await connect();
    await otherTab.hello({ user: other, token });
    await settle(300);
    expect(signedOut.items()).toHaveLength(0);
    expect(otherTab.items()).toHaveLength(0);
  });

  it('lets a user download the files an agent sent them as a visitor, even one they were sent twice', async () => {
    const { identitySecret } = await t.settings.get(t.workspaceId);
    const { file } = await visitorSentPng();

    // The same file goes to a signed-in user and to an anonymous visitor, who later signs in as them.
    const user = { id: `user-${randomUUID()}`, hash: '' };
    user.hash = userHash(identitySecret, user);
    const userTab = await connect();
    await userTab.hello({ user });
    const toUser = await t.reply({ kind: 'web_user', address: user.id }, 'for the user', {
      attachments: [file],
    });
    await userTab.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === toUser,
      'reply to the user',
    );
    const visitor = await newVisitor();
    const toVisitor = await t.reply({ kind: 'web_visitor', address: visitor.visitorId }, 'for the visitor', {
      attachments: [file],
    });
    await visitor.client.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === toVisitor,
      'reply to the visitor',
    );
    await visitor.client.close();

    const signedIn = await connect();
    await signedIn.hello({ user, token: visitor.token });
    const items = () =>
      signedIn
        .items()
        .filter((i) => i.text === 'for the user' || i.text === 'for the visitor') as unknown as {
        attachments: { id: string }[];
      }[];
    await waitFor(() => items().length === 2, { what: 'both replies after sign-in' });
    for (const item of items()) {
      const got = await fetch(`${t.url}/widget/attachments/${item.attachments[0]!.id}?key=${t.widgetKey}`, {
        headers: { 'x-user-id': user.id, 'x-user-hash': user.hash },
      });
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);
    }
  });

  it('sends pre-chat details with messages, unverified', async () => {
    const client = await connect();
    await client.hello();
    client.send({ t: 'prechat', name: 'Bob', email: 'bob@example.com' });
    await client.next((m) => m.t === 'profile', 'profile');
    const id = randomUUID();
    client.send({ t: 'msg', id, text: 'hi' });
    await client.next((m) => m.t === 'ack', 'ack');
    const event = await waitFor(
      () =>
        t.inbound.find(
          (e) => e.type === 'inbound.message.received' && e.payload.providerMessageId.endsWith(id),
        ),
      { what: 'inbound' },
    );
    expect((event as InboundMessageReceivedV1).payload.sender).toMatchObject({
      displayName: 'Bob',
      identities: [{ kind: 'email', address: 'bob@example.com', verified: false }],
    });
  });

  it('offers the offline form outside business hours, and its message reaches the inbox with a hint', async () => {
    const closedAllWeek = { timeZone: 'Pacific/Kiritimati', weekly: {} };
    await t.settings.update(t.workspaceId, { appearance: { businessHours: closedAllWeek } });
    await settle(5_200);
    const client = await connect();
    const welcome = await client.hello();
    expect(welcome.online).toBe(false);
    const id = randomUUID();
    client.send({ t: 'offline', id, name: 'Carol', email: 'carol@example.com', text: 'Call me back' });
    await client.next((m) => m.t === 'ack', 'ack');
    const event = await waitFor(
      () =>
        t.inbound.find(
          (e) => e.type === 'inbound.message.received' && e.payload.providerMessageId.endsWith(id),
        ),
      { what: 'inbound' },
    );
    expect((event as InboundMessageReceivedV1).payload).toMatchObject({
      text: 'Call me back',
      hints: { offline: 'true' },
      sender: {
        displayName: 'Carol',
        identities: [{ kind: 'email', address: 'carol@example.com', verified: false }],
      },
    });
    await t.settings.update(t.workspaceId, { appearance: { businessHours: null } });
  });

  it('asks for a rating when the conversation is resolved, publishes the answer, and asks once', async () => {
    const { client, token, visitorId } = await newVisitor();
    const customerId = randomUUID();
    const conversationId = randomUUID();
    await t.reply({ kind: 'web_visitor', address: visitorId }, 'Anything else?', {
      customerId,
      conversationId,
    });
    await client.next((m) => m.t === 'item' && (m.item as { dir: string }).dir === 'out', 'reply');
    // Typing from the agent reaches the widget; the customer's reaches the activity topic.
    await t.bus.emit(
      ParticipantActivityV1.create({
        workspaceId: t.workspaceId,
        payload: {
          conversationId,
          customerId,
          participant: { type: 'agent', id: 'agent-1', name: 'Alex' },
          activity: 'typing',
          at: new Date().toISOString(),
        },
      }),
    );
    await client.next((m) => m.t === 'typing' && m.typing === true && m.name === 'Alex', 'agent typing');
    client.send({ t: 'typing', typing: true });
    await waitFor(
      () =>
        t.activity.find(
          (a) => a.payload.participant.type === 'customer' && a.payload.conversationId === conversationId,
        ),
      { what: 'customer typing' },
    );

    await t.bus.emit(
      ConversationStatusChangedV1.create({
        workspaceId: t.workspaceId,
        payload: {
          conversationId,
          customerId,
          status: 'resolved',
          previousStatus: 'open',
          changedBy: { type: 'agent', id: 'agent-1' },
          changedAt: new Date().toISOString(),
        },
      }),
    );
    const prompt = await client.next(
      (m) => m.t === 'item' && (m.item as { kind: string }).kind === 'csat',
      'csat prompt',
    );
    expect(prompt.item).toMatchObject({ conversationId, answered: false });
    const otherTab = await connect();
    await otherTab.hello({ token });
    await waitFor(() => otherTab.items().some((i) => i.kind === 'csat'), { what: 'prompt in the other tab' });
    client.send({ t: 'csat', conversationId, rating: 5, comment: 'Quick and kind' });
    await client.next((m) => m.t === 'csat-ok', 'csat ok');
    // The other tab stops asking too.
    await otherTab.next(
      (m) => m.t === 'csat-ok' && m.conversationId === conversationId,
      'csat ok in the other tab',
    );
    const csat = await waitFor(
      () =>
        t.inbound.find(
          (e): e is CsatSubmittedV1 =>
            e.type === 'conversation.csat.submitted' && e.payload.conversationId === conversationId,
        ),
      { what: 'csat event' },
    );
    expect(csat.payload).toMatchObject({
      rating: 5,
      comment: 'Quick and kind',
      sender: { kind: 'web_visitor', address: visitorId },
    });
    // A reload, and a resume from before the prompt, show it as answered: not asked again.
    const reloaded = await connect();
    await reloaded.hello({ token });
    const shown = await waitFor(() => reloaded.items().find((i) => i.kind === 'csat'), {
      what: 'prompt after reload',
    });
    expect(shown).toMatchObject({ conversationId, answered: true });
    const resumed = await connect();
    await resumed.hello({ token, since: 0 });
    const replayed = await waitFor(() => resumed.items().find((i) => i.kind === 'csat'), {
      what: 'prompt on resume',
    });
    expect(replayed).toMatchObject({ conversationId, answered: true });
    // A rating for a conversation it was not asked about is refused.
    client.send({ t: 'csat', conversationId: randomUUID(), rating: 1 });
    await client.next((m) => m.t === 'error' && m.code === 'bad_request', 'refused rating');
  });

  it('takes image and PDF attachments of the right type, served to their sender only', async () => {
    const { client, token, visitorId } = await newVisitor();
    const upload = (
      body: Buffer,
      type: string,
      headers: Record<string, string> = { 'x-visitor-token': token },
    ) =>
      fetch(`${t.url}/widget/attachments?key=${t.widgetKey}`, {
        method: 'POST',
        headers: { origin, 'content-type': type, 'x-file-name': 'photo.png', ...headers },
        body: new Uint8Array(body),
      });
    expect((await upload(Buffer.from('<html><script>alert(1)</script>'), 'image/png')).status).toBe(422);
    expect((await upload(Buffer.from('<svg/>'), 'image/svg+xml')).status).toBe(422);
    expect((await upload(png, 'image/png', {})).status).toBe(401);
    const evil = await fetch(`${t.url}/widget/attachments?key=${t.widgetKey}`, {
      method: 'POST',
      headers: { origin: 'https://evil.example.com', 'content-type': 'image/png', 'x-visitor-token': token },
      body: new Uint8Array(png),
    });
    expect(evil.status).toBe(403);
    const stored = await upload(png, 'image/png');
    expect(stored.status).toBe(201);
    expect(stored.headers.get('access-control-allow-origin')).toBe(origin);
    const attachment = (await stored.json()) as { id: string };
    const id = randomUUID();
    client.send({ t: 'msg', id, attachments: [attachment.id] });
    await client.next((m) => m.t === 'ack' && m.id === id, 'ack');
    const event = await waitFor(() => inboundFrom(visitorId).find((e) => e.payload.attachments.length > 0), {
      what: 'inbound with attachment',
    });
    expect(event.payload.attachments[0]).toMatchObject({
      contentType: 'image/png',
      sizeBytes: png.length,
      fileName: 'photo.png',
    });

    const own = await fetch(`${t.url}/widget/attachments/${attachment.id}?key=${t.widgetKey}`, {
      headers: { 'x-visitor-token': token },
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await own.arrayBuffer()).equals(png)).toBe(true);
    const other = await connect();
    const otherToken = (await other.hello()).token as string;
    const theirs = await fetch(`${t.url}/widget/attachments/${attachment.id}?key=${t.widgetKey}`, {
      headers: { 'x-visitor-token': otherToken },
    });
    expect(theirs.status).toBe(404);
    // Another visitor can't send it as theirs either.
    const steal = randomUUID();
    other.send({ t: 'msg', id: steal, attachments: [attachment.id] });
    await other.next((m) => m.t === 'error' && m.code === 'attachment_invalid', 'refused');
  });
  it('limits a visitor’s uploads with 429 and Retry-After, per contact', async () => {
    const upload = (token: string) =>
      fetch(`${t.url}/widget/attachments?key=${t.widgetKey}`, {
        method: 'POST',
        headers: {
          origin,
          'content-type': 'image/png',
          'x-file-name': 'photo.png',
          'x-visitor-token': token,
        },
        body: new Uint8Array(png),
      });
    const { token } = await newVisitor();
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 12 && refused === undefined; i++) {
      const response = await upload(token);
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses.slice(0, 10)).toEqual(Array<number>(10).fill(201));
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another visitor (same address, well under the per-IP burst) is not held back by it.
    const other = await newVisitor();
    expect((await upload(other.token)).status).toBe(201);
  });

  it('lets the visitor an agent sent a file to download it, and nobody else', async () => {
    const { sender, file: ours } = await visitorSentPng();

    // An agent forwards it to another visitor, with keys that are not ours or not there.
    const recipient = await newVisitor();
    const messageId = await t.reply({ kind: 'web_visitor', address: recipient.visitorId }, 'Here it is', {
      attachments: [
        { ...ours, fileName: 'for-you.png' },
        { storageKey: `sms-media/${randomUUID()}`, contentType: 'image/jpeg', sizeBytes: 10 },
        { storageKey: 'https://evil.example.com/x.png', contentType: 'image/png', sizeBytes: 10 },
      ],
    });
    const reply = await recipient.client.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === messageId,
      'reply with files',
    );
    const files = (reply.item as { attachments: { id: string; fileName?: string; contentType: string }[] })
      .attachments;
    expect(files).toHaveLength(3);
    expect(files[0]).toMatchObject({ contentType: 'image/png', fileName: 'for-you.png' });
    for (const file of files) expect(file.id).toMatch(/^[0-9a-f-]{36}$/);
    const download = (id: string, token: string) =>
      fetch(`${t.url}/widget/attachments/${id}?key=${t.widgetKey}`, {
        headers: { 'x-visitor-token': token },
      });

    const got = await download(files[0]!.id, recipient.token);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-disposition')).toContain('for-you.png');
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);
    // Granted, but not ours or not there: nothing to serve.
    expect((await download(files[1]!.id, recipient.token)).status).toBe(404);
    expect((await download(files[2]!.id, recipient.token)).status).toBe(404);
    // The grant is the recipient's: not the sender's, not a stranger's.
    expect((await download(files[0]!.id, sender.token)).status).toBe(404);
    const stranger = await connect();
    const strangerToken = (await stranger.hello()).token as string;
    expect((await download(files[0]!.id, strangerToken)).status).toBe(404);
    expect((await download(files[0]!.id, '')).status).toBe(403);

    // A reload shows the same downloadable file; a redelivered reply grants nothing new.
    const reloaded = await connect();
    await reloaded.hello({ token: recipient.token });
    const again = await waitFor(
      () => reloaded.messages('item').find((m) => (m.item as { id: string }).id === messageId),
      { what: 'reply after reload' },
    );
    expect((again.item as { attachments: { id: string }[] }).attachments[0]!.id).toBe(files[0]!.id);
  });

  it("serves a customer's MMS an agent forwards from the shared store, only in the grant's workspace", async () => {
    // What the SMS channel keeps for an inbound MMS (ADR 0033): bytes in the process's store under
    // sms-media/<workspace>/<uuid>; the web channel reads no table of the SMS channel's.
    const store = t.app.get<AttachmentStore>(ATTACHMENT_STORE);
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
    const put = async (key: string, body: Buffer) => {
      await store.put(key, body, { size: body.length, contentType: 'image/jpeg' });
      return key;
    };
    const ours = await put(`sms-media/${t.workspaceId}/${randomUUID()}`, jpeg);
    // Another workspace's MMS, its key named in a reply of this workspace: never served here.
    const theirs = await put(`sms-media/${randomUUID()}/${randomUUID()}`, Buffer.from('their photo'));
    // Copied before the store (key without a workspace): moved by the SMS channel to this workspace.
    const legacyId = randomUUID();
    await put(`sms-media/${t.workspaceId}/${legacyId}`, jpeg);
    // A legacy key whose bytes are in another workspace: not found under this one.
    const legacyElsewhereId = randomUUID();
    await put(`sms-media/${randomUUID()}/${legacyElsewhereId}`, Buffer.from('their photo'));
    // A path out of the key's workspace segment, and a PDF the carrier sent, served as a download.
    const pdf = await put(`sms-media/${t.workspaceId}/${randomUUID()}`, Buffer.from('%PDF-1.4 receipt'));

    const recipient = await newVisitor();
    const messageId = await t.reply({ kind: 'web_visitor', address: recipient.visitorId }, 'Their photo', {
      attachments: [
        { storageKey: ours, contentType: 'image/jpeg', sizeBytes: jpeg.length, fileName: 'photo.jpg' },
        { storageKey: theirs, contentType: 'image/jpeg', sizeBytes: 11 },
        { storageKey: `sms-media/${legacyId}`, contentType: 'image/jpeg', sizeBytes: jpeg.length },
        { storageKey: `sms-media/${legacyElsewhereId}`, contentType: 'image/jpeg', sizeBytes: 11 },
        { storageKey: `sms-media/${t.workspaceId}/../${theirs}`, contentType: 'image/jpeg', sizeBytes: 11 },
        { storageKey: pdf, contentType: 'application/pdf', sizeBytes: 16 },
      ],
    });
    const reply = await recipient.client.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === messageId,
      'reply with MMS media',
    );
    const files = (reply.item as { attachments: { id: string }[] }).attachments;
    expect(files).toHaveLength(6);
    const download = (id: string, token = recipient.token) =>
      fetch(`${t.url}/widget/attachments/${id}?key=${t.widgetKey}`, {
        headers: { 'x-visitor-token': token },
      });

    const photo = await download(files[0]!.id);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(photo.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''photo.jpg");
    expect(photo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(photo.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(Buffer.from(await photo.arrayBuffer()).equals(jpeg)).toBe(true);
    expect((await download(files[1]!.id)).status).toBe(404);
    const legacy = await download(files[2]!.id);
    expect(legacy.status).toBe(200);
    expect(Buffer.from(await legacy.arrayBuffer()).equals(jpeg)).toBe(true);
    expect((await download(files[3]!.id)).status).toBe(404);
    expect((await download(files[4]!.id)).status).toBe(404);
    const receipt = await download(files[5]!.id);
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-disposition')).toMatch(/^attachment;/);
    await receipt.arrayBuffer();
    // The grant is the recipient's alone.
    const stranger = await connect();
    const strangerToken = (await stranger.hello()).token as string;
    expect((await download(files[0]!.id, strangerToken)).status).toBe(404);
  });

  // Last: the second replica joins and leaves the consumer groups, and the rebalance would delay
  // the time-sensitive typing events of the tests after it.
  it('keeps a visitor’s tabs in step across replicas of the channel', async () => {
    const replica = await t.startReplica();
    try {
      const { client: tabA, token, visitorId } = await newVisitor();
      // Behind one host in production; here each replica has its own port, so its own origin.
      const tabB = await WidgetClient.connect(replica.wsUrl, replica.url);
      clients.push(tabB);
      await tabB.hello({ token });
      await waitFor(() => tabB.items().length === 1, { what: 'history on the other replica' });
      // Whichever replica consumes the reply, both tabs get it.
      const messageId = await t.reply({ kind: 'web_visitor', address: visitorId }, 'to both replicas');
      await tabA.next(
        (m) => m.t === 'item' && (m.item as { id: string }).id === messageId,
        'reply in A',
        40_000,
      );
      await tabB.next(
        (m) => m.t === 'item' && (m.item as { id: string }).id === messageId,
        'reply in B',
        40_000,
      );
      const fromB = randomUUID();
      tabB.send({ t: 'msg', id: fromB, text: 'from the other replica' });
      await tabA.next((m) => m.t === 'item' && (m.item as { id: string }).id === fromB, 'B’s message in A');
      // Each replica hears of it on its own LISTEN connection: A's having it says nothing of B's.
      await tabB.next((m) => m.t === 'item' && (m.item as { id: string }).id === fromB, 'B’s message in B');
      expect(tabA.items().map((i) => i.seq)).toEqual([1, 2, 3]);
      expect(tabB.items().map((i) => i.seq)).toEqual([1, 2, 3]);

      // The visitor's rate limit is one, whichever replica a tab is on: A spends it, B is refused.
      for (let i = 0; i < 12; i++) tabA.send({ t: 'msg', id: randomUUID(), text: `flood ${i}` });
      await waitFor(() => tabA.messages('error').some((m) => m.code === 'rate_limited'), {
        what: 'A limited',
      });
      const fromBAgain = randomUUID();
      tabB.send({ t: 'msg', id: fromBAgain, text: 'and B too' });
      const refused = await tabB.next(
        (m) => (m.t === 'error' || m.t === 'ack') && m.id === fromBAgain,
        'B answered',
      );
      expect(refused).toMatchObject({ t: 'error', code: 'rate_limited', id: fromBAgain });
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await replica.close();
    }
  });
});
