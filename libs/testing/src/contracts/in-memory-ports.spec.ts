import { randomUUID } from 'node:crypto';
import { InMemoryHistory } from '../ports/in-memory-history.double.js';
import { InMemoryRouting } from '../ports/in-memory-routing.double.js';
import { describeHistoryApiContract } from './history-api.contract.js';
import { describeRoutingApiContract } from './routing-api.contract.js';

// The doubles the inbox's and the gRPC API's tests use, held to the contract the real services
// meet (apps/history/test/history-api.contract.int-spec.ts, apps/routing/test/routing-api.contract.e2e-spec.ts).
describeHistoryApiContract('in-memory double', () => {
  const history = new InMemoryHistory();
  return Promise.resolve({
    api: history,
    receiveSms: async (workspaceId: string, address: string, text: string) => {
      const customer = history.addCustomer(workspaceId, {
        identities: [
          {
            id: randomUUID(),
            kind: 'phone',
            value: address,
            verified: true,
            optedOut: false,
            createdAt: new Date().toISOString(),
          },
        ],
        channels: ['sms'],
      });
      const conversation = history.addConversation(customer, {
        channel: 'sms',
        channelAccountId: 'sms-account-1',
      });
      await history.receive(conversation.id, text, 'sms');
      return { conversationId: conversation.id, customerId: customer.id };
    },
    assign: (workspaceId: string, conversationId: string, agentId: string) => {
      const conversation = history.conversations.get(conversationId);
      if (conversation?.workspaceId !== workspaceId) throw new Error(`no conversation ${conversationId}`);
      conversation.assigneeId = agentId;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  });
});

describeRoutingApiContract('in-memory double', () =>
  Promise.resolve({ api: new InMemoryRouting(new InMemoryHistory()), close: () => Promise.resolve() }),
);
