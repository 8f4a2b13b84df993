import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  channelSchema,
  conversationStatusSchema,
  messageTemplateSchema,
  messageTextSchema,
} from '@switchboard/contracts';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { ConversationsService } from './conversations.service.js';

const listSchema = z.object({
  view: z.enum(['mine', 'unassigned', 'all']).default('mine'),
  status: z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.array(conversationStatusSchema))
    .optional(),
  channel: channelSchema.optional(),
  queueId: z.string().min(1).max(200).optional(),
  labelId: z.uuid().optional(),
  pageToken: z.string().max(2000).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
});
const timelineSchema = z.object({
  pageToken: z.string().max(2000).optional(),
  channel: channelSchema.optional(),
});
const replySchema = z
  .object({
    idempotencyKey: z.string().min(8).max(100),
    text: messageTextSchema.trim().min(1).nullable().optional(),
    channel: channelSchema.optional(),
    internalNote: z.boolean().optional(),
    /** Asks the customer for card details in the web widget's secure form (ADR 0082). */
    form: z.strictObject({ kind: z.literal('card') }).optional(),
    /** Uploaded first (`POST /api/inbox/attachments`); at most 5. */
    attachmentIds: z.array(z.uuid()).max(5).optional(),
    /** WhatsApp: an approved template, offered by `GET …/templates` once the window has closed. */
    template: messageTemplateSchema.optional(),
  })
  .refine((r) => !(r.internalNote && r.channel), { message: 'a note has no channel', path: ['channel'] })
  .refine((r) => !(r.internalNote && r.template), { message: 'a note has no template', path: ['template'] })
  .refine((r) => !(r.internalNote && r.form), { message: 'a note asks the customer nothing', path: ['form'] })
  .refine((r) => !(r.template && r.form), { message: 'a template asks for no form', path: ['form'] })
  .refine(
    (r) => (r.text ?? null) !== null || (r.attachmentIds ?? []).length > 0 || r.template !== undefined,
    {
      message: 'a reply needs text, an attachment or a template',
      path: ['text'],
    },
  );
/** A status change's body; also read by its route ahead of express (ADR 0150). */
export const statusChangeSchema = z.object({ status: conversationStatusSchema });
const transferSchema = z
  .object({
    agentId: z.string().min(1).max(200).optional(),
    queueId: z.string().min(1).max(200).optional(),
    note: z.string().max(1000).optional(),
  })
  .refine((t) => (t.agentId === undefined) !== (t.queueId === undefined), {
    message: 'give either agentId or queueId',
    path: ['agentId'],
  });
const offerSchema = z.object({ accepted: z.boolean() });
const takeOverSchema = z.object({ agentId: z.string().min(1).max(200).optional() }).strict();
const readSchema = z.object({ upToSequence: z.number().int().positive() });
const mergeSchema = z.object({ sourceCustomerId: z.uuid() });
const customerPatchSchema = z.object({
  name: z.string().trim().max(200).nullable().optional(),
  attributes: z.record(z.string().min(1).max(100), z.string().max(500).nullable()).optional(),
});

/** Conversations and customers as agents see them. Handlers validate and hand over. */
@Controller('api/inbox')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get('conversations')
  list(@CurrentSession() session: SessionContext, @Query() query: unknown) {
    return this.conversations.list(session, parseInput(listSchema, query));
  }

  @Get('conversations/:conversationId')
  open(@CurrentSession() session: SessionContext, @Param('conversationId') id: string) {
    return this.conversations.open(session, id);
  }

  @Post('conversations/:conversationId/messages')
  reply(
    @CurrentSession() session: SessionContext,
    @Param('conversationId') id: string,
    @Body() body: unknown,
  ) {
    return this.conversations.reply(session, id, parseInput(replySchema, body));
  }

  @Get('conversations/:conversationId/templates')
  async templates(@CurrentSession() session: SessionContext, @Param('conversationId') id: string) {
    return { templates: await this.conversations.templates(session, id) };
  }

  @Post('conversations/:conversationId/status')
  @HttpCode(200)
  setStatus(
    @CurrentSession() session: SessionContext,
    @Param('conversationId') id: string,
    @Body() body: unknown,
  ) {
    return this.conversations.setStatus(session, id, parseInput(statusChangeSchema, body).status);
  }

  @Post('conversations/:conversationId/transfer')
  @HttpCode(202)
  async transfer(
    @CurrentSession() session: SessionContext,
    @Param('conversationId') id: string,
    @Body() body: unknown,
  ): Promise<{ accepted: true }> {
    const input = parseInput(transferSchema, body);
    const to = input.agentId !== undefined ? { agentId: input.agentId } : { queueId: input.queueId! };
    await this.conversations.transfer(session, id, to, input.note);
    return { accepted: true };
  }

  /** Takes the conversation from the answer bot: for oneself, or (supervisors) for `agentId`. */
  @Post('conversations/:conversationId/take-over')
  @HttpCode(202)
  async takeOver(
    @CurrentSession() session: SessionContext,
    @Param('conversationId') id: string,
    @Body() body: unknown,
  ): Promise<{ accepted: true }> {
    await this.conversations.takeOver(session, id, parseInput(takeOverSchema, body ?? {}).agentId);
    return { accepted: true };
  }

  /** The conversations the answer bot holds now ("with the bot"); live changes come as `bot.hold.changed`. */
  @Get('bot-conversations')
  botConversations(@CurrentSession() session: SessionContext) {
    return this.conversations.botConversations(session);
  }

  @Post('conversations/:conversationId/offer')
  @HttpCode(202)
  async answerOffer(
    @CurrentSession() session: SessionContext,
    @Param('conversationId') id: string,
    @Body() body: unknown,
  ): Promise<{ accepted: true }> {
    await this.conversations.answerOffer(session, id, parseInput(offerSchema, body).accepted);
    return { accepted: true };
  }

  @Post('conversations/:conversationId/read')
  @HttpCode(204)
  async markRead(
    @CurrentSession() session: SessionContext,
    @Param('conversationId') id: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.conversations.markRead(session, id, parseInput(readSchema, body).upToSequence);
  }

  @Get('conversations/:conversationId/decision')
  @RequireRole('supervisor')
  decision(@CurrentSession() session: SessionContext, @Param('conversationId') id: string) {
    return this.conversations.decision(session, id);
  }

  @Get('customers/:customerId/timeline')
  timeline(
    @CurrentSession() session: SessionContext,
    @Param('customerId') id: string,
    @Query() query: unknown,
  ) {
    return this.conversations.timeline(session, id, parseInput(timelineSchema, query));
  }

  @Patch('customers/:customerId')
  updateCustomer(
    @CurrentSession() session: SessionContext,
    @Param('customerId') id: string,
    @Body() body: unknown,
  ) {
    return this.conversations.updateCustomer(session, id, parseInput(customerPatchSchema, body));
  }

  /** The customer in the path stays; the one in the body is merged into it. */
  @Post('customers/:customerId/merge')
  merge(@CurrentSession() session: SessionContext, @Param('customerId') id: string, @Body() body: unknown) {
    return this.conversations.mergeCustomers(session, id, parseInput(mergeSchema, body).sourceCustomerId);
  }
}
