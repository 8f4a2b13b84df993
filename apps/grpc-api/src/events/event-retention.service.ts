import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, InjectConfig, type ConfigOf } from '@switchboard/platform';
import { GrpcApiConfig } from '../grpc-api.config.js';
import { EventFeedService } from './event-feed.service.js';

const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Drops feed events older than GRPC_EVENT_RETENTION_DAYS, hourly; idempotent, so replicas may overlap. */
@Injectable()
export class EventRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger('grpc-api.events');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly feed: EventFeedService,
    @InjectConfig(GrpcApiConfig) private readonly config: ConfigOf<typeof GrpcApiConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async prune(): Promise<void> {
    try {
      await this.feed.prune(new Date(Date.now() - this.config.GRPC_EVENT_RETENTION_DAYS * DAY_MS));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not prune the event feed; next hour');
    }
  }
}
