import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthRegistry } from './health-registry.service.js';

/**
 * `GET /healthz` and `GET /readyz`. Import it wherever a check is registered: Nest keeps one
 * instance, so every module shares one registry and the routes exist once.
 */
@Module({
  controllers: [HealthController],
  providers: [HealthRegistry],
  exports: [HealthRegistry],
})
export class HealthModule {}
