import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  BOT_MODES,
  InvalidArgumentError,
  KNOWLEDGE_BASE_LIMITS,
  channelSchema,
} from '@switchboard/contracts';
import { readBody } from '@switchboard/platform';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import {
  type ArticleListView,
  type BotChannelsView,
  KnowledgeBaseAdminService,
} from './knowledge-base-admin.service.js';

// Shape and size at the edge; the bot checks the values again and names the field.
const text = (max: number) => z.string().max(max);
const articleFields = {
  title: text(KNOWLEDGE_BASE_LIMITS.titleLength * 2),
  answer: text(KNOWLEDGE_BASE_LIMITS.answerLength * 2),
  questions: z
    .array(text(KNOWLEDGE_BASE_LIMITS.questionLength * 2))
    .max(KNOWLEDGE_BASE_LIMITS.questionsPerArticle),
  tags: z.array(text(KNOWLEDGE_BASE_LIMITS.tagLength * 2)).max(KNOWLEDGE_BASE_LIMITS.tagsPerArticle),
  state: z.enum(['draft', 'published']),
};
const articleInput = z.strictObject({
  ...articleFields,
  tags: articleFields.tags.optional(),
  state: articleFields.state.optional(),
});
const articlePatch = z.strictObject(articleFields).partial();
const searchQuery = z.object({
  text: text(200).optional(),
  state: z.enum(['draft', 'published']).optional(),
  tag: text(KNOWLEDGE_BASE_LIMITS.tagLength).optional(),
});
const formatQuery = z.object({ format: z.enum(['csv', 'json']) });
const tryInput = z.strictObject({
  text: z
    .string()
    .trim()
    .min(1)
    .max(KNOWLEDGE_BASE_LIMITS.questionLength * 4),
});
/** `{ mode }` (ADR 0083), or the older `{ enabled }`: on is the built-in bot. */
const switchInput = z.union([
  z.strictObject({ mode: z.enum(BOT_MODES) }),
  z
    .strictObject({ enabled: z.boolean() })
    .transform(({ enabled }) => ({ mode: enabled ? 'built-in' : 'off' }) as const),
]);

/** An import file is at most this many bytes (the bot counts characters: never more than bytes). */
const MAX_IMPORT_BYTES = KNOWLEDGE_BASE_LIMITS.importLength;

/**
 * Admin → Knowledge base, for admins only: articles (search, create, edit, delete), import (the
 * file as the body, `?format=csv|json`, all or nothing) and export, trying a question, and the
 * bot's switch per channel. Every call is for the session's workspace.
 */
@Controller('api/inbox/admin/knowledge-base')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class KnowledgeBaseAdminController {
  constructor(private readonly kb: KnowledgeBaseAdminService) {}

  @Get('articles')
  @RequireRole('admin')
  async search(@CurrentSession() session: SessionContext, @Query() query: unknown): Promise<ArticleListView> {
    const search = parseInput(searchQuery, query);
    const [articles, counts] = await Promise.all([
      this.kb.search(session, { ...search, limit: 500 }),
      this.kb.counts(session),
    ]);
    return { available: this.kb.available, articles, counts };
  }

  @Post('articles')
  @RequireRole('admin')
  create(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.kb.create(session, parseInput(articleInput, body));
  }

  @Get('articles/:articleId')
  @RequireRole('admin')
  get(@CurrentSession() session: SessionContext, @Param('articleId') articleId: string) {
    return this.kb.get(session, articleId);
  }

  @Patch('articles/:articleId')
  @RequireRole('admin')
  update(
    @CurrentSession() session: SessionContext,
    @Param('articleId') articleId: string,
    @Body() body: unknown,
  ) {
    return this.kb.update(session, articleId, parseInput(articlePatch, body));
  }

  @Delete('articles/:articleId')
  @RequireRole('admin')
  @HttpCode(204)
  remove(@CurrentSession() session: SessionContext, @Param('articleId') articleId: string) {
    return this.kb.remove(session, articleId);
  }

  /** The file as the body (any text type: a JSON body parser would cap it at its own limit). */
  @Post('import')
  @RequireRole('admin')
  @HttpCode(200)
  async import(@CurrentSession() session: SessionContext, @Query() query: unknown, @Req() req: Request) {
    const { format } = parseInput(formatQuery, query);
    const tooLarge = () =>
      new InvalidArgumentError('import too large', [
        { field: 'content', description: `at most ${MAX_IMPORT_BYTES / 1_000_000} MB` },
      ]);
    // A JSON or form type is read (and capped) by the body parsers before this handler: the file
    // would arrive empty. Say so rather than import nothing.
    if (req.readableEnded)
      throw new InvalidArgumentError('invalid import', [
        {
          field: 'content',
          description: 'send the file as the body with a text type (text/csv, text/plain)',
        },
      ]);
    if (Number(req.headers['content-length'] ?? 0) > MAX_IMPORT_BYTES) throw tooLarge();
    const body = await readBody(req, MAX_IMPORT_BYTES);
    if (body === null) throw tooLarge();
    return this.kb.import(session, format, body.toString('utf8').replace(/^\uFEFF/, ''));
  }

  @Get('export')
  @RequireRole('admin')
  async export(@CurrentSession() session: SessionContext, @Query() query: unknown, @Res() res: Response) {
    const { format } = parseInput(formatQuery, query);
    const content = await this.kb.export(session, format);
    res
      .status(200)
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="knowledge-base.${format}"`)
      .send(content);
  }

  @Post('try')
  @RequireRole('admin')
  @HttpCode(200)
  try(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.kb.tryQuestion(session, parseInput(tryInput, body).text);
  }

  @Get('channels')
  @RequireRole('admin')
  async channels(@CurrentSession() session: SessionContext): Promise<BotChannelsView> {
    return { available: this.kb.available, channels: await this.kb.channels(session) };
  }

  /** Takes effect at once: routing learns it in order with the conversations (ADR 0080). */
  @Put('channels/:channel')
  @RequireRole('admin')
  switchChannel(
    @CurrentSession() session: SessionContext,
    @Param('channel') channel: string,
    @Body() body: unknown,
  ) {
    const parsed = channelSchema.safeParse(channel);
    if (!parsed.success)
      throw new InvalidArgumentError('invalid request', [
        { field: 'channel', description: 'an unknown channel' },
      ]);
    return this.kb.switchChannel(session, parsed.data, parseInput(switchInput, body).mode);
  }
}
