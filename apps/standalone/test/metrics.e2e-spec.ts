import { randomUUID } from 'node:crypto';
import { Client, credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { Topics } from '@switchboard/contracts';
import {
  type AppProcess,
  type PrometheusScrape,
  STANDALONE_PUBLIC_BASE_URL,
  type StandaloneWithSms,
  freeStablePort,
  newTwilioAccount,
  openWidgetCustomer,
  parsePrometheusText,
  signedTwilioWebhook,
  startStandaloneWithSms,
  testRunId,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } = newTwilioAccount();
const OUR_NUMBER = '+14155550100';
const CUSTOMER = '+14155550177';
const TEXT = 'my card number is 4111 1111 1111 1111';

/**
 * Prometheus's view of the whole platform in one process (every app's metrics in one registry,
 * none registered twice), on real Kafka and PostgreSQL, scraped on METRICS_PORT and parsed as
 * Prometheus text: signed and forged Twilio webhooks, the events they publish and history
 * consumes, a record history must dead-letter, the lag of its groups, a gRPC call and the pools.
 */
describe('standalone: GET /metrics', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const topicPrefix = `${testRunId()}.metrics-${randomUUID().slice(0, 8)}.`;
  let standalone: StandaloneWithSms;
  let db: pg.Pool;
  let app: AppProcess;
  let metricsUrl: string;

  const scrape = async (): Promise<PrometheusScrape> => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  };
  const send = async (params: Record<string, string>, authToken = AUTH_TOKEN) => {
    const { headers, body } = signedTwilioWebhook(
      authToken,
      `${STANDALONE_PUBLIC_BASE_URL}/webhooks/twilio/sms`,
      params,
    );
    return (await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', headers, body })).status;
  };

  beforeAll(async () => {
    const metricsPort = await freeStablePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    standalone = await startStandaloneWithSms('standalone_metrics', {
      readyTimeoutMs: 90_000,
      twilioAccount: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
      env: {
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: topicPrefix,
        KAFKA_PARTITIONS: '2',
        METRICS_PORT: String(metricsPort),
      },
    });
    app = standalone.app;
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
  });

  afterAll(async () => {
    await db?.end();
    await standalone?.close();
  });

  it('is served on METRICS_PORT only, not on the public port the ingress reaches', async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    const metrics = await scrape();
    // Node's own, once for the whole process.
    expect(metrics.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(metrics.sum('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    // Every service's pool, side by side in the one registry.
    for (const pool of ['history', 'routing', 'inbox']) {
      expect(metrics.find('switchboard_db_pool_connections', { pool })).toHaveLength(2);
    }
    expect(metrics.find('switchboard_db_pool_waiting_clients', { pool: 'history' })).toHaveLength(1);
  });

  it('counts webhooks by outcome, times them by route, and follows their events through the bus', async () => {
    const before = await scrape();
    const accepted = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, { Body: TEXT });
    expect(await send(accepted)).toBe(200);
    // Twilio's retry of a text is accepted again: published under the same event id, stored once by
    // history (ADR 0037). A retried STOP is caught at the edge by its receipt: a duplicate.
    expect(await send(accepted)).toBe(200);
    const stop = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, { Body: 'STOP' });
    expect(await send(stop)).toBe(200);
    expect(await send(stop)).toBe(200);
    expect(await send(twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER), 'f'.repeat(32))).toBe(403);
    const inbound = { topic: Topics.inbound, type: 'inbound.message.received' };
    const consumed = { ...inbound, group: 'history.inbound' };
    await waitFor(
      async () => {
        const stored = await db.query('SELECT 1 FROM history.messages WHERE provider_message_id = ANY($1)', [
          [accepted.MessageSid, stop.MessageSid],
        ]);
        const now = await scrape();
        return (
          stored.rowCount === 2 &&
          now.sum('switchboard_events_consumed_total', consumed) -
            before.sum('switchboard_events_consumed_total', consumed) >=
            3
        );
      },
      { what: 'the text and the STOP in history, every copy consumed' },
    );

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      after.sum(name, labels) - before.sum(name, labels);
    expect(moved('switchboard_webhooks_total', { provider: 'twilio', outcome: 'accepted' })).toBe(3);
    expect(moved('switchboard_webhooks_total', { provider: 'twilio', outcome: 'duplicate' })).toBe(1);
    expect(moved('switchboard_webhooks_total', { provider: 'twilio', outcome: 'rejected_signature' })).toBe(
      1,
    );
    const route = { method: 'POST', route: '/webhooks/twilio/sms' };
    expect(moved('switchboard_http_request_duration_seconds_count', { ...route, status: '200' })).toBe(4);
    expect(moved('switchboard_http_request_duration_seconds_count', { ...route, status: '403' })).toBe(1);
    expect(
      after.find('switchboard_http_request_duration_seconds_bucket', { ...route, status: '200', le: '+Inf' }),
    ).toHaveLength(1);
    expect(moved('switchboard_events_published_total', inbound)).toBe(3);
    expect(moved('switchboard_events_consumed_total', consumed)).toBe(3);

    // Nothing a person typed or is reachable at, nor any secret, is in a label or anywhere else.
    const text = await (await fetch(metricsUrl)).text();
    for (const secret of [CUSTOMER, CUSTOMER.slice(1), TEXT, AUTH_TOKEN, ACCOUNT_SID, OUR_NUMBER.slice(1)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('counts a record history cannot read as dead-lettered, and reports its groups’ lag', async () => {
    const before = await scrape();
    const kafka = new Kafka({ clientId: 'metrics-e2e', brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${topicPrefix}${Topics.inbound}`,
      messages: [{ key: 'garbage', value: 'not json at all' }],
    });
    await producer.disconnect();
    const letters = { group: 'history.inbound', topic: Topics.inbound, reason: 'unparseable' };
    const after = await waitFor(
      async () => {
        const metrics = await scrape();
        return metrics.sum('switchboard_events_dead_lettered_total', letters) >
          before.sum('switchboard_events_dead_lettered_total', letters)
          ? metrics
          : undefined;
      },
      { what: 'the dead letter counted', intervalMs: 250 },
    );
    expect(
      after.sum('switchboard_events_dead_lettered_total', letters) -
        before.sum('switchboard_events_dead_lettered_total', letters),
    ).toBe(1);
    // Lag is read from the broker (committed offsets against the end) on scrape: history has
    // handled all of the inbound topic, so its group has a series per partition, at 0 once caught up.
    const lag = await waitFor(
      async () => {
        const metrics = await scrape();
        const rows = metrics.find('switchboard_consumer_lag', {
          group: 'history.inbound',
          topic: Topics.inbound,
        });
        return rows.length === 2 && rows.every((row) => row.value === 0) ? rows : undefined;
      },
      { what: 'history.inbound caught up on both partitions', timeoutMs: 40_000, intervalMs: 500 },
    );
    expect(lag.map((row) => row.labels.partition).sort()).toEqual(['0', '1']);
  });

  it('times gRPC calls by method and status code', async () => {
    const client = new Client(app.grpcAddress, credentials.createInsecure());
    const call = (path: string) =>
      new Promise<number>((resolve) => {
        client.makeUnaryRequest(
          path,
          (request: Buffer) => request,
          (response: Buffer) => response,
          Buffer.alloc(0),
          (error) => resolve(error?.code ?? GrpcStatus.OK),
        );
      });
    const before = await scrape();
    expect(await call('/grpc.health.v1.Health/Check')).toBe(GrpcStatus.OK);
    // Without an API key the API refuses: the refusal is timed under its own code.
    expect(await call('/switchboard.v1.QueueService/ListQueues')).toBe(GrpcStatus.UNAUTHENTICATED);
    client.close();
    const after = await scrape();
    const moved = (labels: Record<string, string>) =>
      after.sum('switchboard_grpc_request_duration_seconds_count', labels) -
      before.sum('switchboard_grpc_request_duration_seconds_count', labels);
    expect(moved({ method: '/grpc.health.v1.Health/Check', code: 'OK' })).toBe(1);
    expect(moved({ method: '/switchboard.v1.QueueService/ListQueues', code: 'UNAUTHENTICATED' })).toBe(1);
  });

  it('counts open widget sockets while they are open', async () => {
    const page = await (await fetch(`${app.url}/demo`)).text();
    const key = /data-workspace="([^"]+)"/.exec(page)?.[1];
    expect(key).toBeDefined();
    const open = async () => (await scrape()).sum('switchboard_open_sockets', { kind: 'widget' });
    const before = await open();
    const { socket } = await openWidgetCustomer(app.url, key!);
    expect(await open()).toBe(before + 1);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
    await waitFor(async () => (await open()) === before, {
      what: 'the socket no longer counted',
      intervalMs: 100,
    });
  });
});
