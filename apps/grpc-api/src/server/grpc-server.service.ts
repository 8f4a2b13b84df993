import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ReflectionService } from '@grpc/reflection';
import { loadSync } from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath, type ServingStatus } from 'grpc-health-check';
import {
  loadSwitchboardPackageDefinition,
  loadSwitchboardReflectionDefinition,
} from '@switchboard/contracts';
import { createLogger, HealthRegistry, InjectConfig, type ConfigOf } from '@switchboard/platform';
import { AgentServiceHandlers } from '../agents/agent-service.handlers.js';
import { ConversationServiceHandlers } from '../conversations/conversation-service.handlers.js';
import { CustomerServiceHandlers } from '../customers/customer-service.handlers.js';
import { EventServiceHandlers } from '../events/event-service.handlers.js';
import { GrpcApiConfig } from '../grpc-api.config.js';
import { BotServiceHandlers } from '../bots/bot-service.handlers.js';
import { KnowledgeBaseServiceHandlers } from '../knowledge-base/knowledge-base-service.handlers.js';
import { ReportServiceHandlers } from '../reports/report-service.handlers.js';
import { QueueServiceHandlers } from '../queues/queue-service.handlers.js';
import { RpcHandlerFactory } from './rpc-handler.factory.js';
import { grpcMetricsInterceptor } from './grpc-metrics.interceptor.js';

export const SERVICE_NAMES = [
  'switchboard.v1.ConversationService',
  'switchboard.v1.CustomerService',
  'switchboard.v1.AgentService',
  'switchboard.v1.QueueService',
  'switchboard.v1.EventService',
  'switchboard.v1.KnowledgeBaseService',
  'switchboard.v1.BotService',
  'switchboard.v1.ReportService',
] as const;

/** How often the standard health service follows the process's readiness. */
const HEALTH_INTERVAL_MS = 5_000;
/** Unary calls still running after this are cut. */
const DRAIN_MS = 5_000;

/**
 * The gRPC server on GRPC_PORT, beside the HTTP server (ADR 0063): the API's seven services,
 * `grpc.health.v1.Health` following /readyz, and server reflection so grpcurl needs no protos.
 */
@Injectable()
export class GrpcServerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('grpc-api');
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private server: Server | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private boundPort: number | undefined;

  constructor(
    @InjectConfig(GrpcApiConfig) private readonly config: ConfigOf<typeof GrpcApiConfig>,
    private readonly readiness: HealthRegistry,
    private readonly conversations: ConversationServiceHandlers,
    private readonly customers: CustomerServiceHandlers,
    private readonly agents: AgentServiceHandlers,
    private readonly queues: QueueServiceHandlers,
    private readonly events: EventServiceHandlers,
    private readonly knowledgeBase: KnowledgeBaseServiceHandlers,
    private readonly bots: BotServiceHandlers,
    private readonly reports: ReportServiceHandlers,
    private readonly rpc: RpcHandlerFactory,
  ) {}

  /** The port the server listens on (GRPC_PORT, or the one picked for GRPC_PORT=0 in tests). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('the gRPC server is not listening');
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const definition = loadSwitchboardPackageDefinition();
    const server = new Server({
      'grpc.max_receive_message_length': 4 * 1024 * 1024,
      interceptors: [grpcMetricsInterceptor()],
    });
    const implementations: Record<(typeof SERVICE_NAMES)[number], UntypedServiceImplementation> = {
      'switchboard.v1.ConversationService': this.conversations.implementation(),
      'switchboard.v1.CustomerService': this.customers.implementation(),
      'switchboard.v1.AgentService': this.agents.implementation(),
      'switchboard.v1.QueueService': this.queues.implementation(),
      'switchboard.v1.EventService': this.events.implementation(),
      'switchboard.v1.KnowledgeBaseService': this.knowledgeBase.implementation(),
      'switchboard.v1.BotService': this.bots.implementation(),
      'switchboard.v1.ReportService': this.reports.implementation(),
    };
    for (const name of SERVICE_NAMES) {
      server.addService(definition[name] as ServiceDefinition, implementations[name]);
    }
    this.health.addToServer(server);
    // Reflection describes the health service too, so grpcurl can call it without protos.
    new ReflectionService({
      ...loadSync(healthProtoPath, { keepCase: true }),
      ...loadSwitchboardReflectionDefinition(),
    }).addToServer(server);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        `${this.config.GRPC_HOST}:${this.config.GRPC_PORT}`,
        ServerCredentials.createInsecure(),
        (error, port) => (error ? reject(error) : resolve(port)),
      ),
    );
    this.server = server;
    await this.followReadiness();
    this.healthTimer = setInterval(() => void this.followReadiness(), HEALTH_INTERVAL_MS);
    this.logger.info({ port: this.boundPort }, 'gRPC API listening');
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.healthTimer);
    this.setStatus('NOT_SERVING');
    const server = this.server;
    if (!server) return;
    // Unary calls in flight finish; streams end now with UNAVAILABLE (clients resume by cursor).
    this.rpc.closeStreams();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, DRAIN_MS);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async followReadiness(): Promise<void> {
    const report = await this.readiness.checkReadiness();
    this.setStatus(report.status === 'ok' ? 'SERVING' : 'NOT_SERVING');
  }

  private setStatus(status: ServingStatus): void {
    this.health.setStatus('', status);
    for (const name of SERVICE_NAMES) this.health.setStatus(name, status);
  }
}
