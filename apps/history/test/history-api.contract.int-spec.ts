import { Topics } from '@switchboard/contracts';
import { inboundMessageEvent, waitFor } from '@switchboard/testing';
import { describeHistoryApiContract } from '@switchboard/testing/contracts';
import { startHistoryTestApp } from './history-test-app.js';

// The real history service (real Kafka and PostgreSQL) held to the contract its callers' doubles
// meet (libs/testing/src/ports/in-memory-ports.spec.ts).
describeHistoryApiContract('history service', async () => {
  const app = await startHistoryTestApp('history_contract');
  return {
    api: app.api,
    receiveSms: async (workspaceId: string, address: string, text: string) => {
      const event = inboundMessageEvent({
        workspaceId,
        text,
        sender: { kind: 'phone', address, verified: true },
      });
      await app.publish(Topics.inbound, address, [event]);
      const customer = await waitFor(
        async () =>
          (await app.api.findCustomers(workspaceId, { identity: { kind: 'phone', value: address } }))
            .items[0],
        { what: `the customer writing from ${address}` },
      );
      const conversation = await waitFor(
        async () => (await app.api.listConversations(workspaceId, { customerId: customer.id })).items[0],
        { what: 'the conversation' },
      );
      return { conversationId: conversation.id, customerId: customer.id };
    },
    close: () => app.close(),
  };
});
