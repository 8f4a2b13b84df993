import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { runReadinessChecks, type ReadinessCheck, type ReadinessReport } from './readiness.util.js';

/** Each check gets this long; probes usually time out at 1 s to 5 s, so keep the whole under it. */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

/**
 * Where modules register what the process needs to serve traffic. Import `HealthModule`, inject
 * `HealthRegistry` and call `register('kafka', async (signal) => { … })` from a constructor or
 * `onModuleInit`. A check throws to report its dependency down; the message becomes the reason.
 */
@Injectable()
export class HealthRegistry implements BeforeApplicationShutdown {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`Readiness check "${name}" is already registered`);
    this.checks.set(name, check);
  }

  async checkReadiness(): Promise<ReadinessReport> {
    const report = await runReadinessChecks(this.checks, READINESS_CHECK_TIMEOUT_MS);
    if (!this.shuttingDown) return report;
    // Tell the load balancer to stop sending traffic while in-flight work drains.
    return {
      status: 'unavailable',
      checks: { ...report.checks, process: { status: 'down', durationMs: 0, reason: 'shutting down' } },
    };
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
