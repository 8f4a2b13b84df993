import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from '@switchboard/platform';
import { MESSAGE_WEBHOOK_PATH, routeMessageWebhooksFirst } from './message-webhook.route.js';
import type {
  TwilioWebhookAnswer,
  TwilioWebhookEndpoint,
  TwilioWebhookInput,
} from './twilio-webhook.endpoint.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(server: Server, method: string, path: string, headers: Record<string, string>, body?: string) {
  const { port } = server.address() as AddressInfo;
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = 'application/x-www-form-urlencoded';

/** channel-sms's node:http route for Twilio's message webhook, ahead of a stand-in for express. */
describe('routeMessageWebhooksFirst', () => {
  let server: Server;
  const inputs: TwilioWebhookInput[] = [];
  let answer: () => Promise<TwilioWebhookAnswer>;
  const endpoint = {
    answer: (kind: string, input: TwilioWebhookInput) => {
      expect(kind).toBe('message');
      inputs.push(input);
      return answer();
    },
  } as unknown as TwilioWebhookEndpoint;

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('express'));
    routeMessageWebhooksFirst(server, endpoint, { limitBytes: 1024, hsts: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    inputs.length = 0;
    answer = () =>
      Promise.resolve({ status: 200, contentType: 'text/xml; charset=utf-8', body: '<Response/>' });
  });

  it('hands the webhook to the endpoint as sent, and answers what it says with the platform headers', async () => {
    const reply = await call(
      server,
      'POST',
      `${MESSAGE_WEBHOOK_PATH}?from=proxy`,
      { 'content-type': `${FORM}; charset=utf-8`, 'x-twilio-signature': 'sig=', host: 'sms.example.test' },
      'Body=hi&From=%2B14155550101',
    );
    expect(reply).toMatchObject({ status: 200, body: '<Response/>' });
    expect(reply.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({
      signature: 'sig=',
      contentType: `${FORM}; charset=utf-8`,
      originalUrl: `${MESSAGE_WEBHOOK_PATH}?from=proxy`,
      protocol: 'http',
      host: 'sms.example.test',
    });
    expect(inputs[0]!.rawBody.toString('utf8')).toBe('Body=hi&From=%2B14155550101');
    // Timed under the route's template, as express labels it: never the path with its query.
    const timed = await metricsRegistry.getSingleMetricAsString('switchboard_http_request_duration_seconds');
    expect(timed).toContain(`route="${MESSAGE_WEBHOOK_PATH}",status="200"`);
  });

  it('passes a 503 on with its Retry-After, and answers 500 when the endpoint itself fails', async () => {
    answer = () =>
      Promise.resolve({
        status: 503,
        contentType: 'text/plain; charset=utf-8',
        body: 'event-log is unavailable; try again later',
        retryAfterSeconds: 5,
      });
    const down = await call(server, 'POST', MESSAGE_WEBHOOK_PATH, { 'content-type': FORM }, 'a=b');
    expect(down).toMatchObject({ status: 503, body: 'event-log is unavailable; try again later' });
    expect(down.headers['retry-after']).toBe('5');

    answer = () => Promise.reject(new Error('bug'));
    const failed = await call(server, 'POST', MESSAGE_WEBHOOK_PATH, { 'content-type': FORM }, 'a=b');
    expect(failed).toMatchObject({ status: 500, body: 'Internal server error' });
  });

  it('refuses a body over the limit, whether announced or streamed, without asking the endpoint', async () => {
    const big = 'a='.padEnd(2048, 'x');
    const announced = await call(server, 'POST', MESSAGE_WEBHOOK_PATH, { 'content-type': FORM }, big);
    expect(announced.status).toBe(413);
    const streamed = await call(
      server,
      'POST',
      MESSAGE_WEBHOOK_PATH,
      { 'content-type': FORM, 'transfer-encoding': 'chunked' },
      big,
    );
    expect(streamed.status).toBe(413);
    expect(inputs).toHaveLength(0);
  });

  it('gives a compressed body no form type: the endpoint refuses it as not a form', async () => {
    await call(
      server,
      'POST',
      MESSAGE_WEBHOOK_PATH,
      { 'content-type': FORM, 'content-encoding': 'gzip' },
      'x',
    );
    expect(inputs[0]!.contentType).toBeUndefined();
  });

  it('leaves every other request to express', async () => {
    expect((await call(server, 'GET', MESSAGE_WEBHOOK_PATH, {})).body).toBe('express');
    expect((await call(server, 'POST', '/webhooks/twilio/status?message=1', {}, 'a=b')).body).toBe('express');
    expect((await call(server, 'POST', `${MESSAGE_WEBHOOK_PATH}/more`, {}, 'a=b')).body).toBe('express');
    expect(inputs).toHaveLength(0);
  });
});
