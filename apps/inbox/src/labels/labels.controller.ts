import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { HISTORY_API, type HistoryApi, type LabelView } from '@switchboard/contracts';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import { type SessionContext, sessionSender } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb');
const name = z.string().trim().min(1).max(40);
const createSchema = z.object({ name, colour });
const patchSchema = z
  .object({ name: name.optional(), colour: colour.optional() })
  .refine((p) => p.name !== undefined || p.colour !== undefined, { message: 'give a name or a colour' });
const setSchema = z.object({ labelIds: z.array(z.uuid()).max(20) });

/**
 * Labels (ADR 0115): every user reads them and puts them on conversations and customers; admins
 * create, rename, recolour and delete them. They live in history, reached through HistoryApi.
 */
@Controller('api/inbox')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class LabelsController {
  constructor(@Inject(HISTORY_API) private readonly history: HistoryApi) {}

  @Get('labels')
  async list(@CurrentSession() session: SessionContext): Promise<{ labels: LabelView[] }> {
    return { labels: await this.history.listLabels(session.workspaceId) };
  }

  @Post('labels')
  @RequireRole('admin')
  create(@CurrentSession() session: SessionContext, @Body() body: unknown): Promise<LabelView> {
    return this.history.createLabel(session.workspaceId, parseInput(createSchema, body));
  }

  @Patch('labels/:labelId')
  @RequireRole('admin')
  update(
    @CurrentSession() session: SessionContext,
    @Param('labelId') id: string,
    @Body() body: unknown,
  ): Promise<LabelView> {
    return this.history.updateLabel(session.workspaceId, id, parseInput(patchSchema, body));
  }

  @Delete('labels/:labelId')
  @RequireRole('admin')
  @HttpCode(204)
  async remove(@CurrentSession() session: SessionContext, @Param('labelId') id: string): Promise<void> {
    await this.history.deleteLabel(session.workspaceId, id);
  }

  @Put('conversations/:conversationId/labels')
  async labelConversation(
    @CurrentSession() session: SessionContext,
    @Param('conversationId') id: string,
    @Body() body: unknown,
  ): Promise<{ labelIds: string[] }> {
    const { labelIds } = parseInput(setSchema, body);
    return {
      labelIds: await this.history.setLabels(
        session.workspaceId,
        { conversationId: id },
        labelIds,
        sessionSender(session),
      ),
    };
  }

  @Put('customers/:customerId/labels')
  async labelCustomer(
    @CurrentSession() session: SessionContext,
    @Param('customerId') id: string,
    @Body() body: unknown,
  ): Promise<{ labelIds: string[] }> {
    const { labelIds } = parseInput(setSchema, body);
    return {
      labelIds: await this.history.setLabels(
        session.workspaceId,
        { customerId: id },
        labelIds,
        sessionSender(session),
      ),
    };
  }
}
