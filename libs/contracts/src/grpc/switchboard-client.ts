import {
  credentials as grpcCredentials,
  InterceptingCall,
  loadPackageDefinition,
  type ChannelCredentials,
  type Interceptor,
} from '@grpc/grpc-js';
import type { AgentServiceClient } from '../generated/switchboard/v1/AgentService.js';
import type { BotServiceClient } from '../generated/switchboard/v1/BotService.js';
import type { ConversationServiceClient } from '../generated/switchboard/v1/ConversationService.js';
import type { CustomerServiceClient } from '../generated/switchboard/v1/CustomerService.js';
import type { EventServiceClient } from '../generated/switchboard/v1/EventService.js';
import type { KnowledgeBaseServiceClient } from '../generated/switchboard/v1/KnowledgeBaseService.js';
import type { ReportServiceClient } from '../generated/switchboard/v1/ReportService.js';
import type { QueueServiceClient } from '../generated/switchboard/v1/QueueService.js';
import { loadSwitchboardPackageDefinition, type SwitchboardProto } from './switchboard-protos.js';

export interface SwitchboardClients {
  readonly conversations: ConversationServiceClient;
  readonly customers: CustomerServiceClient;
  readonly agents: AgentServiceClient;
  readonly queues: QueueServiceClient;
  readonly events: EventServiceClient;
  readonly knowledgeBase: KnowledgeBaseServiceClient;
  /** An external bot's calls (ADR 0083). */
  readonly bots: BotServiceClient;
  readonly reports: ReportServiceClient;
  /** Closes the one channel the clients share. */
  close(): void;
}

export interface SwitchboardClientOptions {
  /** `host:port` of the API. */
  readonly address: string;
  /** The API key, sent as `authorization: Bearer <key>` on every call. */
  readonly apiKey: string;
  /** Default: TLS with the system roots. `credentials.createInsecure()` on a trusted network. */
  readonly credentials?: ChannelCredentials;
}

/** Adds `authorization: Bearer <key>` to every call (works on TLS and plaintext channels alike). */
export function bearerInterceptor(apiKey: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set('authorization', `Bearer ${apiKey}`);
        next(metadata, listener);
      },
    });
}

/**
 * Typed clients of every service on one HTTP/2 channel, the API key attached to each call. The
 * types are generated from the protos (`npm run grpc:generate`).
 */
export function createSwitchboardClients(options: SwitchboardClientOptions): SwitchboardClients {
  const proto = loadPackageDefinition(loadSwitchboardPackageDefinition()) as unknown as SwitchboardProto;
  const v1 = proto.switchboard.v1;
  const channelCredentials = options.credentials ?? grpcCredentials.createSsl();
  const interceptors = [bearerInterceptor(options.apiKey)];
  const conversations = new v1.ConversationService(options.address, channelCredentials, { interceptors });
  const shared = { interceptors, channelOverride: conversations.getChannel() };
  return {
    conversations,
    customers: new v1.CustomerService(options.address, channelCredentials, shared),
    agents: new v1.AgentService(options.address, channelCredentials, shared),
    queues: new v1.QueueService(options.address, channelCredentials, shared),
    events: new v1.EventService(options.address, channelCredentials, shared),
    knowledgeBase: new v1.KnowledgeBaseService(options.address, channelCredentials, shared),
    bots: new v1.BotService(options.address, channelCredentials, shared),
    reports: new v1.ReportService(options.address, channelCredentials, shared),
    close: () => conversations.close(),
  };
}
