import { Body, Controller, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { ApiKeysAdminService } from './api-keys-admin.service.js';

// Shape and size at the edge; grpc-api checks the values again and names the field.
const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  scope: z.enum(['read', 'read-write']),
  rateLimitPerSecond: z.number().int().min(1).max(100_000).nullable().optional(),
});

/** Integrators' API keys, for admins: list (with last use), create (the key shown once), revoke. */
@Controller('api/inbox/admin/api-keys')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class ApiKeysAdminController {
  constructor(private readonly keys: ApiKeysAdminService) {}

  @Get()
  @RequireRole('admin')
  async list(@CurrentSession() session: SessionContext) {
    return { apiKeys: await this.keys.list(session) };
  }

  @Post()
  @RequireRole('admin')
  create(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    const input = parseInput(createApiKeyInput, body);
    return this.keys.create(session, { ...input, rateLimitPerSecond: input.rateLimitPerSecond ?? null });
  }

  @Post(':keyId/revoke')
  @RequireRole('admin')
  @HttpCode(200)
  revoke(@CurrentSession() session: SessionContext, @Param('keyId') keyId: string) {
    return this.keys.revoke(session, keyId);
  }
}
