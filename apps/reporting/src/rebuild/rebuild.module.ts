import { Module } from '@nestjs/common';
import { ConversationLabelsRepository } from '../projection/conversation-labels.repository.js';
import { ProjectionRepository } from '../projection/projection.repository.js';
import { ProjectionService } from '../projection/projection.service.js';
import { RebuildRepository } from './rebuild.repository.js';
import { RebuildService } from './rebuild.service.js';

/**
 * The rebuild of a workspace's figures from history's records (ADR 0106), beside the reporting
 * store's DataSource (`ReportingModule` or the command's own) and HISTORY_API (in process, or the
 * internal RPC client). Its projection providers are stateless: the same SQL and code as the
 * consumer's.
 */
@Module({
  providers: [
    ConversationLabelsRepository,
    ProjectionRepository,
    ProjectionService,
    RebuildRepository,
    RebuildService,
  ],
  exports: [RebuildService],
})
export class RebuildModule {}
