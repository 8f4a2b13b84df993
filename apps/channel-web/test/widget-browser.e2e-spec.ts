import { randomUUID } from 'node:crypto';
import {
  ConversationStatusChangedV1,
  DEFAULT_WORKSPACE_ID,
  type InboundMessageReceivedV1,
  ParticipantActivityV1,
} from '@switchboard/contracts';
import {
  type TcpProxy,
  launchChromium,
  seriousAccessibilityViolations,
  startTcpProxy,
  waitFor,
} from '@switchboard/testing';
import { type Browser, type Page } from 'playwright-core';
import { type WebTestApp, WidgetClient, startWebTestApp } from './web-test-app.js';

/**
 * The widget as a customer meets it: headless Chromium on /demo, the channel on the real broker and
 * PostgreSQL, agents' replies injected as MessageDeliveryRequestedV1 on the bus. The browser goes
 * through a TCP proxy the test can cut, so "connection dropped" is a real dropped connection.
 */
describe('widget in a browser', () => {
  let t: WebTestApp;
  let proxy: TcpProxy;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    t = await startWebTestApp('web_browser', { workspaceId: DEFAULT_WORKSPACE_ID });
    proxy = await startTcpProxy(Number(new URL(t.url).port));
    base = `http://127.0.0.1:${proxy.port}`;
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await t?.close();
  });

  const outRows = () => page.locator('.m.out .b');
  const visitorOf = (text: string) =>
    waitFor(
      () =>
        t.inbound.find(
          (e): e is InboundMessageReceivedV1 =>
            e.type === 'inbound.message.received' && e.payload.text === text,
        ),
      { what: `inbound "${text}"` },
    );

  it('chats from the demo page, keeps the history on reload, and catches up after a dropped connection', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/demo`);
    const launcher = page.locator('button.l');
    await launcher.waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // the demo page, the launcher
    await launcher.click();

    // Pre-chat form (optional fields), then the composer.
    await page.getByLabel('Name').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Name').fill('Dana Customer');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('Hello, I need help with order 1234');
    await input.press('Enter');
    const first = await visitorOf('Hello, I need help with order 1234');
    expect(first.payload.sender).toMatchObject({ kind: 'web_visitor', displayName: 'Dana Customer' });
    const visitor = { kind: 'web_visitor' as const, address: first.payload.sender.address };

    await t.reply(visitor, 'Hi Dana, let me check.', { agentName: 'Alex Agent' });
    await page.getByText('Hi Dana, let me check.').waitFor();
    await expect(page.locator('.m.out .a').first().textContent()).resolves.toContain('Alex Agent');
    await expect(page.locator('.m.out .av').first().textContent()).resolves.toBe('AA');
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // a conversation

    // Reload: the panel reopens with the conversation so far.
    await page.reload();
    await page.getByText('Hi Dana, let me check.').waitFor();
    await page.getByText('Hello, I need help with order 1234').waitFor();
    expect(await page.locator('.m').count()).toBe(2);

    // Drop the connection; replies sent meanwhile arrive once it is back, in order, once each.
    proxy.cut();
    await page.getByText('Reconnecting…').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // the status bar
    for (const text of ['Missed one', 'Missed two', 'Missed three']) await t.reply(visitor, text);
    proxy.restore();
    await page.getByText('Missed three').waitFor({ timeout: 30_000 });
    await waitFor(async () => (await outRows().count()) === 4, { what: 'four replies' });
    expect(await outRows().allTextContents()).toEqual([
      'Hi Dana, let me check.',
      'Missed one',
      'Missed two',
      'Missed three',
    ]);

    // She types during a drop while an agent's reply reaches the server first: once back, hers
    // moves below that reply, the server's order, which is the inbox's too.
    proxy.cut();
    await page.getByText('Reconnecting…').waitFor();
    await input.fill('Typed while offline');
    await input.press('Enter');
    await t.reply(visitor, 'Answered before hers arrived');
    proxy.restore();
    await visitorOf('Typed while offline');
    await page.getByText('Answered before hers arrived').waitFor({ timeout: 30_000 });
    await waitFor(
      async () =>
        (await page.locator('.m').last().locator('.b').textContent()) === 'Typed while offline' &&
        (await page.locator('.m[data-unconfirmed]').count()) === 0,
      { what: 'her message confirmed, in the server order' },
    );
    expect((await page.locator('.m .b').allTextContents()).slice(-3)).toEqual([
      'Missed three',
      'Answered before hers arrived',
      'Typed while offline',
    ]);

    // Markup in messages is shown as text, never run.
    const payload = '<img src=x onerror="window.__pwned=1"><b>bold?</b>';
    await t.reply(visitor, payload);
    await page.getByText(payload).waitFor();
    await input.fill('<script>window.__pwned=2</script>');
    await input.press('Enter');
    await page.getByText('<script>window.__pwned=2</script>').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.m img').count()).toBe(0);

    // Keyboard: Escape closes and gives focus back to the launcher.
    await input.focus();
    await page.keyboard.press('Escape');
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(
      await page.evaluate(
        () => document.querySelector('[data-switchboard]')?.shadowRoot?.activeElement?.className,
      ),
    ).toBe('l');
    expect(pageErrors).toEqual([]);
  });

  it('shows an agent typing and marks the customer’s messages seen when the agent read them', async () => {
    await page.locator('button.l').click();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('Are you there?');
    await input.press('Enter');
    const sent = await visitorOf('Are you there?');
    const conversationId = '00000000-0000-4000-8000-00000000c0c0';
    const customerId = '00000000-0000-4000-8000-00000000cccc';
    const activity = (kind: 'typing' | 'read') =>
      t.bus.emit(
        ParticipantActivityV1.create({
          workspaceId: DEFAULT_WORKSPACE_ID,
          payload: {
            conversationId,
            customerId,
            participant: { type: 'agent', id: 'agent-1', name: 'Alex Agent' },
            activity: kind,
            at: new Date().toISOString(),
          },
        }),
      );
    await activity('typing');
    await page.getByText('Alex Agent is typing…').waitFor();
    await activity('read');
    await waitFor(async () => (await page.locator('.m.in .mt').last().textContent()) === 'Seen', {
      what: 'seen',
    });
    // The customer's typing reached the inbox's topic too.
    await input.fill('typing…');
    await waitFor(
      () =>
        t.activity.find(
          (a) =>
            a.payload.participant.type === 'customer' &&
            a.payload.participant.id === sent.payload.sender.address,
        ),
      { what: 'customer typing on the activity topic' },
    );
  });

  it('shows a file an agent sent, and asks for a rating once, not again after a reload', async () => {
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('Can you send me the plan?');
    await input.press('Enter');
    const asked = await visitorOf('Can you send me the plan?');
    const visitor = { kind: 'web_visitor' as const, address: asked.payload.sender.address };
    // A file of ours (here another visitor's upload) that an agent forwards to this visitor.
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const uploader = await WidgetClient.connect(t.wsUrl, t.url);
    const uploaderToken = (await uploader.hello()).token as string;
    await uploader.close();
    const uploaded = await fetch(`${t.url}/widget/attachments?key=${t.widgetKey}`, {
      method: 'POST',
      headers: { origin: t.url, 'content-type': 'image/png', 'x-visitor-token': uploaderToken },
      body: new Uint8Array(png),
    });
    const { id } = (await uploaded.json()) as { id: string };
    const keyRows = await t.db.query<{ storage_key: string }>(
      'SELECT storage_key FROM channels.web_attachments WHERE id = $1',
      [id],
    );
    const conversationId = randomUUID();
    const customerId = randomUUID();
    await t.reply(visitor, 'Here is the plan', {
      conversationId,
      customerId,
      attachments: [
        {
          storageKey: keyRows.rows[0]!.storage_key,
          contentType: 'image/png',
          sizeBytes: png.length,
          fileName: 'plan.png',
        },
      ],
    });
    const image = page.locator('.m.out img.f').last();
    await waitFor(async () => (await image.getAttribute('src'))?.startsWith('blob:') === true, {
      what: 'the agent’s image shown',
    });

    await t.bus.emit(
      ConversationStatusChangedV1.create({
        workspaceId: DEFAULT_WORKSPACE_ID,
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
    await page.getByRole('button', { name: '5 of 5' }).click();
    expect(await seriousAccessibilityViolations(page)).toEqual([]); // an image, the rating asked
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thank you for your feedback!').waitFor();
    await page.reload();
    await page.getByText('Here is the plan').waitFor();
    await page.getByText('Thank you for your feedback!').waitFor();
    expect(await page.getByRole('button', { name: 'Send rating' }).count()).toBe(0);
  });

  it('signs in a demo user whose email and phone the page’s HMAC covers, and sends and shows their file', async () => {
    const signedIn = await (await browser.newContext()).newPage();
    const query = new URLSearchParams({ user: 'Ada', email: 'ada@example.com', phone: '+14155550142' });
    await signedIn.goto(`${base}/demo?${query.toString()}`);
    await signedIn.locator('button.l').click();
    // No pre-chat form for a user the site vouched for.
    const input = signedIn.getByRole('textbox', { name: 'Message' });
    await input.fill('Signed in and writing');
    await input.press('Enter');
    const written = await visitorOf('Signed in and writing');
    expect(written.payload.sender).toMatchObject({
      kind: 'web_user',
      address: 'switchboard-demo:Ada',
      verified: true,
      identities: [
        { kind: 'email', address: 'ada@example.com', verified: true },
        { kind: 'phone', address: '+14155550142', verified: true },
      ],
    });
    // Uploads and downloads authenticate with the same signed fields (x-user-*): the upload is
    // sent, and after a reload the image is fetched back and shown from a blob.
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await signedIn
      .locator('input[type=file]')
      .setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: png });
    await waitFor(
      () =>
        t.inbound.find(
          (e) =>
            e.type === 'inbound.message.received' &&
            e.payload.sender.address === 'switchboard-demo:Ada' &&
            e.payload.attachments.length === 1,
        ),
      { what: 'the signed-in user’s upload sent' },
    );
    await signedIn.reload();
    const image = signedIn.locator('.m.in img.f').last();
    await waitFor(async () => (await image.getAttribute('src'))?.startsWith('blob:') === true, {
      what: 'the user’s own image shown',
    });
    expect(await seriousAccessibilityViolations(signedIn)).toEqual([]);
    await signedIn.close();
  });
});
