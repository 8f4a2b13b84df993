import { status } from '@grpc/grpc-js';
import {
  ConversationAssignedV1,
  ConversationLabelsChangedV1,
  ConversationMessageAppendedV1,
  HISTORY_API,
  REPORTING_API,
  ROUTING_API,
  type ReportingApi,
  reportingApiPort,
  type grpcV1,
  type SwitchboardClients,
} from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import { type InternalRpcClient, createInternalRpcClient } from '@switchboard/platform';
import {
  type AppProcess,
  type TestDatabase,
  InMemoryHistory,
  InMemoryRouting,
  createTestDatabase,
  localSwitchboardClients,
  rpcFailure,
  startAppProcess,
  testRunId,
  unary,
  waitFor,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { startGrpcApiTestApp, type GrpcApiTestApp } from './grpc-api-test-app.js';

const INTERNAL_TOKEN = randomBytes(24).toString('hex');
const workspace = randomUUID();
type Reports = SwitchboardClients['reports'];

/** A message of a conversation: the customer's (agentId null; the first opens it) or an agent's reply. */
function messageOf(
  conversationId: string,
  channel: 'web' | 'sms',
  createdAt: string,
  sequence: number,
  agentId: string | null,
) {
  return ConversationMessageAppendedV1.create({
    workspaceId: workspace,
    payload: {
      conversationId,
      customerId: conversationId,
      messageId: randomUUID(),
      sequence,
      direction: agentId === null ? 'in' : 'out',
      channel,
      channelAccountId: null,
      text: 'hi',
      attachments: [],
      sender: agentId === null ? { type: 'customer' } : { type: 'agent', id: agentId },
      createdAt,
      openedConversation: sequence === 1,
    },
  });
}

/**
 * ReportService over the real reporting app (the built app in its own process, on the real
 * PostgreSQL and Kafka), reached over internal RPC as grpc-api alone reaches it: a conversation
 * published on the broker is in the key's workspace's report and in no other's; bad fields are
 * named.
 */
describe('gRPC ReportService', () => {
  let api: GrpcApiTestApp;
  let reporting: AppProcess;
  let database: TestDatabase;
  let client: InternalRpcClient<ReportingApi> | undefined;
  let bus: KafkaEventBus;
  const prefix = `${testRunId()}.grpc-reports-${randomUUID().slice(0, 8)}.`;
  let reader: SwitchboardClients;
  let stranger: SwitchboardClients;
  let history: InMemoryHistory;
  let routing: InMemoryRouting;

  const call = <Res>(c: SwitchboardClients, request: object) =>
    unary<Reports, keyof Reports, object, Res>(c.reports, 'GetReport', request);

  beforeAll(async () => {
    database = await createTestDatabase('grpc_reports');
    const brokers = process.env.KAFKA_BROKERS ?? '';
    reporting = await startAppProcess('reporting', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: '1',
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    });
    await reporting.waitUntilReady(60_000);
    history = new InMemoryHistory();
    api = await startGrpcApiTestApp('grpc_reports', {
      providers: [
        { provide: HISTORY_API, useValue: history },
        { provide: ROUTING_API, useValue: (routing = new InMemoryRouting(history)) },
        {
          provide: REPORTING_API,
          useValue: (client = createInternalRpcClient(reportingApiPort, {
            url: reporting.rpcUrl,
            token: INTERNAL_TOKEN,
          })).api,
        },
      ],
    });
    const key = async (ws: string) =>
      localSwitchboardClients(
        api.port,
        (await api.keys.createApiKey(ws, { name: 'r', scope: 'read', createdBy: 't' })).key,
      );
    reader = await key(workspace);
    stranger = await key(randomUUID());
    bus = new KafkaEventBus({
      brokers: brokers.split(','),
      clientId: 'grpc-reports-test',
      topicPrefix: prefix,
      partitions: 1,
      replicationFactor: 1,
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of [reader, stranger]) c?.close();
    await bus?.close();
    await api?.close();
    client?.close();
    await reporting?.stop('SIGTERM');
    await database?.drop();
  });

  it('answers a month by day for the key’s workspace only', async () => {
    const conversationId = randomUUID();
    await bus.emit([
      messageOf(conversationId, 'web', '2026-03-02T10:00:00Z', 1, null),
      ConversationAssignedV1.create({
        workspaceId: workspace,
        payload: {
          conversationId,
          queueId: 'support',
          agentId: 'agent-1',
          mode: 'assign',
          assignedAt: '2026-03-02T10:00:20Z',
          explanation: { step: null, reason: 'test', candidates: [] },
        },
      }),
      messageOf(conversationId, 'web', '2026-03-02T10:01:30Z', 2, 'agent-1'),
    ]);
    const request = {
      metrics: ['conversations', 'first_response_time', 'service_level_percent', 'csat_average'],
      dimension: 'REPORT_DIMENSION_DAY',
      from: '2026-03-01',
      to: '2026-04-01',
    };
    const report = await waitFor(
      async () => {
        const r = await call<grpcV1.GetReportResponse__Output>(reader, request);
        return r.rows[0]?.values.find((v) => v.metric === 'first_response_time')?.value === 90 ? r : null;
      },
      { what: 'the conversation reported', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(report.timeZone).toBe('UTC');
    expect(report.time).toBe('REPORT_TIME_CALENDAR');
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]!.key).toBe('2026-03-02');
    expect(report.rows[0]!.values.map((v) => [v.metric, v.value ?? null])).toEqual([
      ['conversations', 1],
      ['first_response_time', 90],
      ['service_level_percent', 0],
      ['csat_average', null],
    ]);
    expect((await call<grpcV1.GetReportResponse__Output>(stranger, request)).rows).toEqual([]);
  });

  it('filters by a label the conversations carry now, and by an agent they were assigned to', async () => {
    const vip = await history.createLabel(workspace, { name: 'VIP', colour: '#aa0000' });
    const other = await history.createLabel(randomUUID(), { name: 'VIP', colour: '#aa0000' });
    const labelled = (conversationId: string, labelIds: string[], at: string) =>
      ConversationLabelsChangedV1.create({
        workspaceId: workspace,
        payload: {
          conversationId,
          customerId: conversationId,
          labelIds,
          changedBy: { type: 'agent', id: 'agent-1' },
          changedAt: at,
        },
      });
    // Two SMS on 5 March: the first VIP then not, the second VIP (the later set counts).
    const [first, second] = [randomUUID(), randomUUID()];
    await bus.emit([
      messageOf(first, 'sms', '2026-03-05T09:00:00Z', 1, null),
      messageOf(second, 'sms', '2026-03-05T10:00:00Z', 1, null),
      labelled(first, [vip.id], '2026-03-05T09:01:00Z'),
      labelled(second, [vip.id], '2026-03-05T10:01:00Z'),
      labelled(first, [], '2026-03-05T09:02:00Z'),
    ]);
    const request = {
      metrics: ['conversations'],
      dimension: 'REPORT_DIMENSION_DAY',
      from: '2026-03-05',
      to: '2026-03-06',
      labelId: vip.id,
    };
    await waitFor(
      async () => {
        const r = await call<grpcV1.GetReportResponse__Output>(reader, request);
        const all = await call<grpcV1.GetReportResponse__Output>(reader, { ...request, labelId: '' });
        return all.rows[0]?.values[0]?.value === 2 && r.rows[0]?.values[0]?.value === 1;
      },
      { what: 'the label read', timeoutMs: 60_000, intervalMs: 500 },
    );
    // The agent filter on conversation figures: agent-1 took the first test's chat of 2 March only.
    await routing.upsertAgent(workspace, { agentId: 'agent-1', displayName: 'Alice', skills: [] });
    const byAgent = await call<grpcV1.GetReportResponse__Output>(reader, {
      metrics: ['conversations', 'first_response_time'],
      dimension: 'REPORT_DIMENSION_TOTAL',
      from: '2026-03-01',
      to: '2026-04-01',
      agentId: 'agent-1',
    });
    expect(byAgent.rows.map((r) => r.values.map((v) => [v.metric, v.value ?? null]))).toEqual([
      [
        ['conversations', 1],
        ['first_response_time', 90],
      ],
    ]);
    // Another workspace's label, and an agent of none: named, never an empty report.
    const failure = await rpcFailure(call(reader, { ...request, labelId: other.id, agentId: 'nobody' }));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.status?.fieldViolations.map((v) => v.field)).toEqual(['label_id', 'agent_id']);
  });

  it('names the bad fields', async () => {
    const failure = await rpcFailure(
      call(reader, {
        metrics: ['speed'],
        dimension: 'REPORT_DIMENSION_DAY',
        from: '2026-03-01',
        to: '2026-02-01',
      }),
    );
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.status?.fieldViolations.map((v) => v.field)).toEqual(['metrics.0']);
  });
});
