import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, InjectConfig, type ConfigOf } from '@switchboard/platform';
import { GrpcApiConfig } from '../grpc-api.config.js';
import { EventFeedService } from './event-feed.service.js';

/** Often, so that each run has little to do: no hourly burst of deletes. */
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH_SIZE = 1_000;
/** Between two batches of one run: the feed's writers and readers go on between them. */
const PRUNE_PAUSE_MS = 20;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Drops feed events older than GRPC_EVENT_RETENTION_DAYS every minute, a thousand per statement
 * until a batch comes back short; idempotent, so replicas may overlap.
 */
@Injectable()
export class EventRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger('grpc-api.events');
  private timer: NodeJS.Timeout | undefined;
  /** The run under way: runs never overlap, and shutdown waits for it. */
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly feed: EventFeedService,
    @InjectConfig(GrpcApiConfig) private readonly config: ConfigOf<typeof GrpcApiConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.prune().finally(() => (this.running = undefined));
    }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.stopped = true;
    await this.running;
  }

  async prune(): Promise<void> {
    const cutoff = new Date(Date.now() - this.config.GRPC_EVENT_RETENTION_DAYS * DAY_MS);
    try {
      while ((await this.feed.prune(cutoff, PRUNE_BATCH_SIZE)) >= PRUNE_BATCH_SIZE && !this.stopped) {
        await new Promise((resolve) => setTimeout(resolve, PRUNE_PAUSE_MS));
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not prune the event feed; next minute');
    }
  }
}
