import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, NotFoundError, type RoutingApi } from '@switchboard/contracts';
import { describePortContract } from './port-contract.util.js';

/** One RoutingApi prepared for the contract: the real service or a double. */
export interface RoutingApiUnderTest {
  readonly api: RoutingApi;
  close(): Promise<void>;
}

/**
 * What every RoutingApi promises its callers (the inbox, the gRPC API), run against the real
 * service and the double alike: workspace scoping, an agent created once, patches that change only
 * what they name, queue names unique per workspace whatever their case.
 */
export function describeRoutingApiContract(
  subject: string,
  create: () => Promise<RoutingApiUnderTest>,
): void {
  describePortContract(`RoutingApi contract: ${subject}`, create, (suite) => {
    const { workspace, other } = suite;

    it('creates an agent once, in its workspace only, and patches only what it names', async () => {
      const input = {
        agentId: 'agent-ada',
        displayName: 'Ada',
        skills: [{ skill: 'billing', proficiency: 4 }],
        channelCapacity: { sms: 3 },
        maxConcurrent: 6,
      };
      const created = await suite.under.api.createAgent(workspace, input);
      expect(created).toMatchObject({ ...input, workspaceId: workspace });
      await expect(suite.under.api.createAgent(workspace, input)).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(suite.under.api.getAgent(other, 'agent-ada')).rejects.toBeInstanceOf(NotFoundError);
      expect(await suite.under.api.listAgents(other)).toEqual([]);

      const updated = await suite.under.api.updateAgent(workspace, 'agent-ada', {
        skills: [{ skill: 'spanish', proficiency: 5 }],
      });
      expect(updated).toMatchObject({
        displayName: 'Ada',
        skills: [{ skill: 'spanish', proficiency: 5 }],
        channelCapacity: { sms: 3 },
        maxConcurrent: 6,
      });
      await expect(
        suite.under.api.updateAgent(workspace, 'nobody', { displayName: 'X' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      const online = await suite.under.api.setPresence(workspace, 'agent-ada', 'online', 'agent');
      expect(online.presence).toBe('online');
      expect((await suite.under.api.listAgents(workspace)).map((a) => a.agentId)).toEqual(['agent-ada']);
    });

    it('keeps queue names unique per workspace, whatever their case', async () => {
      const billing = await suite.under.api.upsertQueue(workspace, { name: 'Billing' });
      const sales = await suite.under.api.upsertQueue(workspace, { name: 'Sales' });
      await expect(suite.under.api.upsertQueue(workspace, { name: 'billing' })).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );
      await expect(
        suite.under.api.upsertQueue(workspace, { id: sales.id, name: 'BILLING' }),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      // Its own name is no clash; another workspace may have the same name.
      expect(await suite.under.api.upsertQueue(workspace, { id: billing.id, name: 'billing' })).toMatchObject(
        {
          id: billing.id,
          name: 'billing',
        },
      );
      await suite.under.api.upsertQueue(other, { name: 'Billing' });
      await expect(suite.under.api.getQueue(other, billing.id)).rejects.toBeInstanceOf(NotFoundError);
      expect((await suite.under.api.listQueues(workspace)).map((q) => q.name).sort()).toEqual([
        'Sales',
        'billing',
      ]);
      await suite.under.api.deleteQueue(workspace, sales.id);
      await expect(suite.under.api.getQueue(workspace, sales.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses a transfer to an agent or queue the workspace lacks', async () => {
      const conversationId = randomUUID();
      const by = { type: 'agent' as const, id: 'agent-1' };
      await expect(
        suite.under.api.transfer(workspace, conversationId, { agentId: 'nobody' }, by),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        suite.under.api.transfer(workspace, conversationId, { queueId: randomUUID() }, by),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('takes over only what the bot holds, for an agent of the workspace', async () => {
      const by = { type: 'agent' as const, id: 'taker' };
      await suite.under.api.upsertAgent(workspace, { agentId: 'taker', displayName: 'Taker', skills: [] });
      await expect(suite.under.api.takeOver(workspace, randomUUID(), 'nobody', by)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(suite.under.api.takeOver(other, randomUUID(), 'taker', by)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      // Nobody holds an unknown conversation: the bot least of all.
      await expect(suite.under.api.takeOver(workspace, randomUUID(), 'taker', by)).rejects.toBeInstanceOf(
        Error,
      );
      expect(await suite.under.api.listBotConversations(other)).toEqual([]);
    });
  });
}
