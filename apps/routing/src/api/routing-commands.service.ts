import { Inject, Injectable } from '@nestjs/common';
import {
  ConversationOfferAnsweredV1,
  ConversationTransferRequestedV1,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  messageSenderSchema,
  type MessageSender,
  type TransferTarget,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import {
  agentIdSchema,
  checkWorkspace,
  conversationIdSchema,
  parseInput,
  transferTargetSchema,
} from './routing-api.validation.js';
import { RoutingReadsRepository } from './routing-reads.repository.js';

/** Asks of routing from agents and integrators (transfers, answers to offers): events on the log, durable before they resolve. */
@Injectable()
export class RoutingCommandsService {
  constructor(
    @Inject(EventBus) private readonly bus: EventBus,
    private readonly reads: RoutingReadsRepository,
  ) {}

  async transfer(
    workspaceId: string,
    conversationId: string,
    to: TransferTarget,
    by: MessageSender,
    note?: string,
  ): Promise<void> {
    checkWorkspace(workspaceId);
    const id = parseInput(conversationIdSchema, conversationId, 'conversation id');
    const requestedBy = parseInput(messageSenderSchema, by, 'requester');
    if (note !== undefined && note.length > 1000) {
      throw new InvalidArgumentError('invalid note', [
        { field: 'note', description: 'at most 1000 characters' },
      ]);
    }
    const target = parseInput(transferTargetSchema, to, 'transfer target');
    if ('agentId' in target) await this.reads.agentRow(workspaceId, target.agentId);
    else if (!(await this.reads.queueRow(workspaceId, target.queueId)))
      throw new NotFoundError(`queue ${target.queueId}`);
    await this.reads.conversationState(workspaceId, id, ['bot', 'waiting', 'offered', 'assigned']);
    await this.bus.emit(
      ConversationTransferRequestedV1.create({
        workspaceId,
        payload: { conversationId: id, to: target, requestedBy, note, requestedAt: new Date().toISOString() },
      }),
    );
  }

  /**
   * A takeover is a transfer of a conversation the bot holds (ADR 0080): routing releases it from
   * the bot (reason `taken_over`, which silences the bot) and gives it to the agent.
   */
  async takeOver(
    workspaceId: string,
    conversationId: string,
    agentId: string,
    by: MessageSender,
  ): Promise<void> {
    checkWorkspace(workspaceId);
    const id = parseInput(conversationIdSchema, conversationId, 'conversation id');
    const agent = parseInput(agentIdSchema, agentId, 'agent id');
    const requestedBy = parseInput(messageSenderSchema, by, 'requester');
    await this.reads.agentRow(workspaceId, agent);
    await this.reads.conversationState(workspaceId, id, ['bot']);
    await this.bus.emit(
      ConversationTransferRequestedV1.create({
        workspaceId,
        payload: {
          conversationId: id,
          to: { agentId: agent },
          requestedBy,
          note: 'taken over from the bot',
          requestedAt: new Date().toISOString(),
        },
      }),
    );
  }

  async answerOffer(
    workspaceId: string,
    conversationId: string,
    agentId: string,
    accepted: boolean,
  ): Promise<void> {
    checkWorkspace(workspaceId);
    const id = parseInput(conversationIdSchema, conversationId, 'conversation id');
    const agent = parseInput(agentIdSchema, agentId, 'agent id');
    const snapshot = await this.reads.conversationState(workspaceId, id, ['offered']);
    if (snapshot.agentId !== agent)
      throw new FailedPreconditionError(`conversation ${id} is not offered to ${agent}`);
    await this.bus.emit(
      ConversationOfferAnsweredV1.create({
        workspaceId,
        payload: { conversationId: id, agentId: agent, accepted, answeredAt: new Date().toISOString() },
      }),
    );
  }
}
