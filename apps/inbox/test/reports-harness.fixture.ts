import {
  type Channel,
  ConversationAssignedV1,
  ConversationLabelsChangedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  type EventEnvelope,
  type ReportingApi,
  reportingApiPort,
} from '@switchboard/contracts';
import { type InternalRpcClient, createInternalRpcClient } from '@switchboard/platform';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  startAppProcess,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';

/** Calls of the reporting port the inbox made, by method (the clock's round trips are counted). */
export type ReportingCalls = Record<keyof ReportingApi, number>;

export interface ReportsHarness {
  readonly inbox: InboxTestApp;
  readonly reportingApp: AppProcess;
  /** The test's own client of the reporting app (not counted in `calls`). */
  readonly reporting: ReportingApi;
  readonly calls: ReportingCalls;
  close(): Promise<void>;
}

/**
 * The inbox (history and routing doubles) beside the real reporting app (its own process, the
 * built app) on one fresh PostgreSQL database and the real Kafka broker under a topic prefix of
 * their own; the inbox reaches reporting over internal RPC as when it runs alone.
 */
export async function startReportsHarness(label: string): Promise<ReportsHarness> {
  const token = randomBytes(24).toString('hex');
  const database: TestDatabase = await createTestDatabase(label);
  const topicPrefix = `${testRunId()}.${label}-${randomUUID().slice(0, 8)}.`;
  const reportingApp = await startAppProcess('reporting', {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_PARTITIONS: '1',
    INTERNAL_API_TOKEN: token,
  });
  await reportingApp.waitUntilReady(60_000);
  const clients: InternalRpcClient<ReportingApi>[] = [];
  const client = () => {
    const c = createInternalRpcClient(reportingApiPort, { url: reportingApp.rpcUrl, token });
    clients.push(c);
    return c.api;
  };
  const forInbox = client();
  const calls: ReportingCalls = { getReport: 0, getWorkspaceClock: 0, setWorkspaceClock: 0 };
  const counted: ReportingApi = {
    getReport: (...args) => (calls.getReport++, forInbox.getReport(...args)),
    getWorkspaceClock: (...args) => (calls.getWorkspaceClock++, forInbox.getWorkspaceClock(...args)),
    setWorkspaceClock: (...args) => (calls.setWorkspaceClock++, forInbox.setWorkspaceClock(...args)),
  };
  const inbox = await startInboxTestApp(label, { database, topicPrefix, reporting: counted });
  return {
    inbox,
    reportingApp,
    reporting: client(),
    calls,
    async close() {
      await inbox.close();
      for (const c of clients) c.close();
      await reportingApp.stop('SIGTERM');
      await database.drop();
    },
  };
}

/**
 * One conversation as history and routing publish it: opened by the customer at `openedAt`, given
 * to `agentId` in `queueId` 10 s later, answered `replyAfterSeconds` after opening (null: never),
 * resolved at `resolvedAt` (null: still open), labelled `labelIds` a minute after opening (none:
 * never). Times are UTC instants.
 */
export function conversationEvents(
  workspaceId: string,
  c: {
    channel: Channel;
    queueId: string;
    agentId: string;
    openedAt: string;
    replyAfterSeconds: number | null;
    resolvedAt?: string;
    labelIds?: string[];
  },
): EventEnvelope[] {
  const conversationId = randomUUID();
  const customerId = randomUUID();
  const at = (seconds: number) => new Date(Date.parse(c.openedAt) + seconds * 1000).toISOString();
  let sequence = 0;
  const message = (createdAt: string, sender: { type: 'customer' } | { type: 'agent'; id: string }) =>
    ConversationMessageAppendedV1.create({
      workspaceId,
      payload: {
        conversationId,
        customerId,
        messageId: randomUUID(),
        sequence: ++sequence,
        direction: sender.type === 'customer' ? 'in' : 'out',
        channel: c.channel,
        channelAccountId: null,
        text: 'hello',
        attachments: [],
        sender,
        createdAt,
        openedConversation: sender.type === 'customer' && sequence === 1,
      },
    });
  const events: EventEnvelope[] = [
    message(c.openedAt, { type: 'customer' }),
    ConversationAssignedV1.create({
      workspaceId,
      payload: {
        conversationId,
        queueId: c.queueId,
        agentId: c.agentId,
        mode: 'assign',
        assignedAt: at(10),
        explanation: { step: null, reason: 'scripted', candidates: [] },
      },
    }),
  ];
  if (c.replyAfterSeconds !== null)
    events.push(message(at(c.replyAfterSeconds), { type: 'agent', id: c.agentId }));
  if (c.resolvedAt)
    events.push(
      ConversationStatusChangedV1.create({
        workspaceId,
        payload: {
          conversationId,
          customerId,
          status: 'resolved',
          previousStatus: 'open',
          changedBy: { type: 'customer' },
          changedAt: c.resolvedAt,
        },
      }),
    );
  if (c.labelIds)
    events.push(
      ConversationLabelsChangedV1.create({
        workspaceId,
        payload: {
          conversationId,
          customerId,
          labelIds: c.labelIds,
          changedBy: { type: 'agent', id: c.agentId },
          changedAt: at(60),
        },
      }),
    );
  return events;
}

/**
 * The days both reports tests read (UTC): Monday 2 March 2026, an SMS in Sales answered in 40 s
 * and resolved, and a web chat in Support opened at `webChatAt` answered in 120 s; Tuesday, an SMS
 * in Sales the customer left unanswered. All `agentId`'s; the web chat labelled `webChatLabels`.
 * Published on the harness's broker; answers once reporting has read them all.
 */
export async function publishScriptedDays(
  h: ReportsHarness,
  workspaceId: string,
  agentId: string,
  { webChatAt, webChatLabels }: { webChatAt: string; webChatLabels?: string[] },
): Promise<void> {
  await h.inbox.bus.emit([
    ...conversationEvents(workspaceId, {
      channel: 'sms',
      queueId: 'sales',
      agentId,
      openedAt: '2026-03-02T09:00:00Z',
      replyAfterSeconds: 40,
      resolvedAt: '2026-03-02T09:30:00Z',
    }),
    ...conversationEvents(workspaceId, {
      channel: 'web',
      queueId: 'support',
      agentId,
      openedAt: webChatAt,
      replyAfterSeconds: 120,
      ...(webChatLabels ? { labelIds: webChatLabels } : {}),
    }),
    ...conversationEvents(workspaceId, {
      channel: 'sms',
      queueId: 'sales',
      agentId,
      openedAt: '2026-03-03T11:00:00Z',
      replyAfterSeconds: null,
      resolvedAt: '2026-03-03T11:05:00Z',
    }),
  ]);
  // The last of them: the abandoned SMS, and the web chat's labels when it has some.
  await waitFor(
    async () => {
      const [all, labelled] = await Promise.all([
        h.reporting.getReport(workspaceId, {
          metrics: ['conversations', 'abandoned'],
          dimension: 'total',
          from: '2026-03-02',
          to: '2026-03-04',
        }),
        webChatLabels?.[0] === undefined
          ? null
          : h.reporting.getReport(workspaceId, {
              metrics: ['conversations'],
              dimension: 'total',
              from: '2026-03-02',
              to: '2026-03-04',
              labelId: webChatLabels[0],
            }),
      ]);
      const total = all.rows[0]?.values;
      return (
        total?.conversations === 3 &&
        total.abandoned === 1 &&
        (labelled === null || labelled.rows[0]?.values.conversations === 1)
      );
    },
    { what: 'the reporting app to read the scripted days', timeoutMs: 60_000, intervalMs: 250 },
  );
}
