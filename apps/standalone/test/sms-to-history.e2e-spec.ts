import {
  STANDALONE_PUBLIC_BASE_URL,
  type StandaloneWithSms,
  startStandaloneWithSms,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';

/**
 * The standalone process serves Twilio's webhook on its one port, and a text reaches history's
 * messages. A MessageSid published a second time (the receipt lost, as after a crash between the
 * publish and the receipt, or two racing deliveries) is still one message in history.
 */
describe('standalone: an SMS reaches history once', () => {
  let standalone: StandaloneWithSms;
  let db: pg.Pool;

  beforeAll(async () => {
    standalone = await startStandaloneWithSms('standalone_sms');
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    await standalone?.close();
  });

  it('stores the text, and a second publish of its MessageSid adds nothing', async () => {
    const send = (params: Record<string, string>) =>
      standalone.postTwilio(`${STANDALONE_PUBLIC_BASE_URL}/webhooks/twilio/sms`, params);
    const { accountSid, number } = standalone.twilio;
    const rows = (sid: string) =>
      db
        .query<{ sender_address: string; text: string; channel: string }>(
          'SELECT sender_address, text, channel FROM history.messages WHERE provider_message_id = $1',
          [sid],
        )
        .then((r) => r.rows);

    const first = twilioInboundSmsParams(accountSid, number, '+14155550123', {
      Body: 'Is it in stock?',
    });
    expect(await send(first)).toBe(200);
    await waitFor(async () => (await rows(first.MessageSid)).length === 1, { what: 'the text in history' });
    expect(await rows(first.MessageSid)).toEqual([
      { sender_address: '+14155550123', text: 'Is it in stock?', channel: 'sms' },
    ]);

    // Twilio's retry: a text keeps no receipt, so it is published again, as the same event (ADR 0037).
    expect(await send(first)).toBe(200);
    // Same sender, same partition: once the next message is stored, the republished one was handled.
    const next = twilioInboundSmsParams(accountSid, number, '+14155550123', { Body: 'Hello?' });
    expect(await send(next)).toBe(200);
    await waitFor(async () => (await rows(next.MessageSid)).length === 1, {
      what: 'the next text in history',
    });
    const published = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM bus.records r JOIN bus.topics t ON t.id = r.topic_id
       WHERE t.name LIKE '%switchboard.inbound' AND convert_from(r.value, 'UTF8') LIKE $1`,
      [`%${first.MessageSid}%`],
    );
    expect(Number(published.rows[0]!.n)).toBe(2);
    expect(await rows(first.MessageSid)).toHaveLength(1);
  });
});
