import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import {
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ROUTING_API,
  type Channel,
  Topics,
  allEventDefinitions,
  type EventEnvelope,
  type RoutingApi,
} from '@switchboard/contracts';
import { KafkaEventBus, MessagingModule, type SubscriptionHandle } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { RoutingAppConfig } from '../src/routing-app.config.js';
import { RoutingModule } from '../src/routing.module.js';
import { RoutingInputConsumer } from '../src/inputs/routing-input.consumer.js';
import { WorkspaceOwnerService } from '../src/workspaces/workspace-owner.service.js';

export interface RoutingInstance {
  readonly api: RoutingApi;
  readonly owner: WorkspaceOwnerService;
  close(): Promise<void>;
}

/**
 * The routing service as it runs alone (RoutingAppModule's modules, on real Kafka and PostgreSQL),
 * in this process so a test can run two of them and restart either.
 */
export async function startRoutingInstance(env: Record<string, string>): Promise<RoutingInstance> {
  @Module({
    imports: [
      PlatformConfigModule.forRoot(RoutingAppConfig, { overrides: { LOG_LEVEL: 'warn', ...env } }),
      LoggingModule,
      HealthModule,
      MessagingModule.forRoot(),
      RoutingModule,
    ],
  })
  class RoutingTestModule {}
  const app: INestApplicationContext = await NestFactory.createApplicationContext(RoutingTestModule, {
    logger: false,
  });
  await app.init();
  await app.get(RoutingInputConsumer).assigned;
  return {
    api: app.get<RoutingApi>(ROUTING_API),
    owner: app.get(WorkspaceOwnerService),
    close: () => app.close(),
  };
}

/** A producer and a reader of the routing topics, standing in for history, the inbox and the log. */
export async function routingTestBus(topicPrefix: string): Promise<{
  bus: KafkaEventBus;
  outputs: EventEnvelope[];
  emit(event: EventEnvelope): Promise<void>;
  close(): Promise<void>;
}> {
  const bus = new KafkaEventBus({
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
    clientId: 'routing-test',
    topicPrefix,
    partitions: 3,
    replicationFactor: 1,
  });
  const outputs: EventEnvelope[] = [];
  const subscription: SubscriptionHandle = await bus.subscribe({
    groupId: 'routing-test-reader',
    topics: [Topics.routing],
    accepts: allEventDefinitions,
    handleBatch: (batch) => {
      for (const { event } of batch) outputs.push(event);
      return Promise.resolve();
    },
  });
  await subscription.assigned;
  return {
    bus,
    outputs,
    emit: (event) => bus.emit(event),
    close: async () => {
      await subscription.stop();
      await bus.close();
    },
  };
}

export function openedEvent(
  workspaceId: string,
  options: { channel?: Channel; hints?: Record<string, string>; customerId?: string } = {},
) {
  return ConversationMessageAppendedV1.create({
    workspaceId,
    payload: {
      conversationId: randomUUID(),
      customerId: options.customerId ?? randomUUID(),
      messageId: randomUUID(),
      sequence: 1,
      direction: 'in',
      channel: options.channel ?? 'web',
      channelAccountId: null,
      text: 'Hello',
      attachments: [],
      sender: { type: 'customer' },
      createdAt: new Date().toISOString(),
      openedConversation: true,
      hints: options.hints ?? {},
    },
  });
}

export function resolvedEvent(workspaceId: string, conversationId: string, customerId: string) {
  return ConversationStatusChangedV1.create({
    workspaceId,
    payload: {
      conversationId,
      customerId,
      status: 'resolved',
      previousStatus: 'open',
      changedBy: { type: 'agent', id: 'test' },
      changedAt: new Date().toISOString(),
    },
  });
}
