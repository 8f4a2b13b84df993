import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthRegistry } from './health-registry.service.js';
import type { ReadinessReport } from './readiness.util.js';

@Controller()
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Liveness: the event loop answers. Deliberately checks no dependency, or an outage restarts everything. */
  @Get('healthz')
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readiness(): Promise<ReadinessReport> {
    const report = await this.registry.checkReadiness();
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
  }
}
