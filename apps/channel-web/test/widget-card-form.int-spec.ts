import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type InboundMessageReceivedV1 } from '@switchboard/contracts';
import { settle, waitFor } from '@switchboard/testing';
import { type WebTestApp, WidgetClient, startWebTestApp } from './web-test-app.js';

/**
 * The server side of the secure card form (ADR 0082) on the real broker and PostgreSQL: a reply
 * that asks for a card reaches the widget as a form; what the widget sends back is a token and a
 * summary, recorded as "Card •••• 4242 submitted" with the token in the event's hints, once.
 */
describe('widget card form', () => {
  let t: WebTestApp;
  const clients: WidgetClient[] = [];
  const connect = async () => {
    const client = await WidgetClient.connect(t.wsUrl, t.url);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await startWebTestApp('web_card_form');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts an https tokenization endpoint, or http to a loopback host only, and shows it to the widget', async () => {
    for (const bad of [
      'http://payments.example.com/tokens',
      'https://user:pw@payments.example.com/tokens',
      'https://payments.example.com/tokens?key=secret',
      'ftp://payments.example.com/',
      'not a url',
    ])
      await expect(
        t.settings.update(t.workspaceId, { appearance: { cardTokenizationUrl: bad } }),
      ).rejects.toThrow(InvalidArgumentError);
    await t.settings.update(t.workspaceId, {
      appearance: { cardTokenizationUrl: 'https://payments.example.com/v1/tokens' },
    });
    // Another change keeps it.
    const view = await t.settings.update(t.workspaceId, { appearance: { offlineMessage: 'Back soon' } });
    expect(view.appearance.cardTokenizationUrl).toBe('https://payments.example.com/v1/tokens');
    const client = await connect();
    const welcome = await client.hello();
    expect(welcome.config).toMatchObject({ cardTokenizationUrl: 'https://payments.example.com/v1/tokens' });
    await t.settings.update(t.workspaceId, {
      appearance: { cardTokenizationUrl: 'http://127.0.0.1:9/tokens' },
    });
    await t.settings.update(t.workspaceId, { appearance: { cardTokenizationUrl: null } });
    expect((await t.settings.get(t.workspaceId)).appearance.cardTokenizationUrl).toBeNull();
  });

  it('records a filled form as its last four digits, with the token for integrators, once', async () => {
    const client = await connect();
    const welcome = await client.hello();
    const first = randomUUID();
    client.send({ t: 'msg', id: first, text: 'I want to pay my invoice' });
    await client.next((m) => m.t === 'ack' && m.id === first, 'ack');
    const visitor = await waitFor(
      () =>
        t.inbound.find(
          (e): e is InboundMessageReceivedV1 =>
            e.type === 'inbound.message.received' && e.payload.providerMessageId.endsWith(first),
        ),
      { what: 'first message' },
    );
    const recipient = { kind: 'web_visitor' as const, address: visitor.payload.sender.address };

    const formId = await t.reply(recipient, 'Please enter your card below.', { form: { kind: 'card' } });
    const asked = await client.next(
      (m) => m.t === 'item' && (m.item as { id: string }).id === formId,
      'the form',
    );
    expect(asked.item).toMatchObject({
      dir: 'out',
      text: 'Please enter your card below.',
      form: { kind: 'card' },
    });

    // Unknown form, a number where the token goes, a brand the widget never sends: refused.
    const refusals = [
      { formId: randomUUID(), token: 'tok_abc', last4: '4242', brand: 'visa' },
      { formId, token: '4242424242424242', last4: '4242', brand: 'visa' },
      { formId, token: 'tok_abc', last4: '42424', brand: 'visa' },
    ];
    for (const refused of refusals) {
      const id = randomUUID();
      client.send({ t: 'card', id, ...refused });
      await client.next((m) => m.t === 'error' && (m.id === id || m.code === 'bad_request'), 'refusal');
      client.received.length = 0;
    }

    const id = randomUUID();
    client.send({ t: 'card', id, formId, token: 'tok_7Hq2', last4: '4242', brand: 'visa' });
    await client.next((m) => m.t === 'ack' && m.id === id, 'card ack');
    const submitted = await waitFor(
      () =>
        t.inbound.find(
          (e): e is InboundMessageReceivedV1 =>
            e.type === 'inbound.message.received' && e.payload.providerMessageId.endsWith(id),
        ),
      { what: 'card event' },
    );
    expect(submitted.payload.text).toBe('Card •••• 4242 submitted');
    expect(submitted.payload.hints).toMatchObject({
      secureForm: 'card',
      formMessageId: formId,
      cardToken: 'tok_7Hq2',
      cardLast4: '4242',
      cardBrand: 'visa',
    });

    // Answered once: a second submission of the same form is refused; a retry of the same id is acked.
    const again = randomUUID();
    client.send({ t: 'card', id: again, formId, token: 'tok_other', last4: '1111', brand: 'visa' });
    await client.next((m) => m.t === 'error' && m.id === again, 'second submission refused');
    client.send({ t: 'card', id, formId, token: 'tok_7Hq2', last4: '4242', brand: 'visa' });
    await waitFor(() => client.messages('ack').filter((m) => m.id === id).length === 2, {
      what: 'retry ack',
    });
    await settle(500);
    expect(t.inbound.filter((e) => e.payload.sender.address === recipient.address)).toHaveLength(2);

    // A reload shows the form as submitted, and the customer's summary after it.
    const reloaded = await connect();
    await reloaded.hello({ token: welcome.token });
    await waitFor(() => reloaded.items().some((i) => i.id === id), { what: 'replay' });
    const items = reloaded
      .messages('item')
      .map((m) => m.item as { id: string; form?: unknown; text: string });
    expect(items.find((i) => i.id === formId)?.form).toEqual({ kind: 'card', submitted: true });
    expect(items.find((i) => i.id === id)?.text).toBe('Card •••• 4242 submitted');
  });
});
