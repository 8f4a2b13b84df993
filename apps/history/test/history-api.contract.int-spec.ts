import { ConversationAssignedV1, historyApiPort, type HistoryApi } from '@switchboard/contracts';
import { inboundMessageEvent, overInternalRpc, waitFor } from '@switchboard/testing';
import { describeHistoryApiContract } from '@switchboard/testing/contracts';
import { startHistoryTestApp } from './history-test-app.js';

// The real history service (real Kafka and PostgreSQL) held to the contract its callers' doubles
// meet (libs/testing/src/ports/in-memory-ports.spec.ts): in process, as the standalone composition
// calls it, and over internal RPC (TCP), as the inbox and the gRPC API call it when each app runs
// alone.
for (const transport of ['in process', 'over internal RPC'] as const) {
  describeHistoryApiContract(`history service, ${transport}`, async () => {
    const app = await startHistoryTestApp('history_contract');
    const remote = transport === 'over internal RPC' ? await overInternalRpc(historyApiPort, app.api) : null;
    const api: HistoryApi = remote?.api ?? app.api;
    return {
      api,
      receiveSms: async (workspaceId: string, address: string, text: string) => {
        const event = inboundMessageEvent({
          workspaceId,
          text,
          sender: { kind: 'phone', address, verified: true },
        });
        await app.emit([event]);
        const customer = await waitFor(
          async () =>
            (await api.findCustomers(workspaceId, { identity: { kind: 'phone', value: address } })).items[0],
          { what: `the customer writing from ${address}` },
        );
        const conversation = await waitFor(
          async () => (await api.listConversations(workspaceId, { customerId: customer.id })).items[0],
          { what: 'the conversation' },
        );
        return { conversationId: conversation.id, customerId: customer.id };
      },
      assign: async (workspaceId: string, conversationId: string, agentId: string) => {
        await app.emit([
          ConversationAssignedV1.create({
            workspaceId,
            payload: {
              conversationId,
              queueId: 'support',
              agentId,
              mode: 'assign',
              assignedAt: new Date().toISOString(),
              explanation: { step: null, reason: 'assigned by the contract', candidates: [] },
            },
          }),
        ]);
        await waitFor(
          async () => (await api.getConversation(workspaceId, conversationId)).assigneeId === agentId,
          {
            what: `the conversation assigned to ${agentId}`,
          },
        );
      },
      close: async () => {
        await remote?.close();
        await app.close();
      },
    };
  });
}
