import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  BOT_MODES,
  channelSchema,
  InvalidArgumentError,
  KNOWLEDGE_BASE_LIMITS,
  NotFoundError,
  type ArticleInput,
  type Channel,
  type ArticlePatch,
  type ArticleSearch,
  type ArticleStatsView,
  type ArticleView,
  type BotMode,
  type ChannelBotMode,
  type BotAnswerView,
  type ImportResult,
  type KnowledgeBaseApi,
  type KnowledgeBaseFormat,
} from '@switchboard/contracts';
import { BotConversationService } from '../conversations/bot-conversation.service.js';
import { WorkspaceMatcherService } from '../matching/workspace-matcher.service.js';
import { formatArticlesCsv, parseArticlesCsv } from './article-csv.util.js';
import { ArticleRepository } from './article.repository.js';
import { parseArticleInput, parseArticlePatch, parseImportedArticles } from './article.validation.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** KnowledgeBaseApi: validation at the edge, rows in ArticleRepository, answers from the matcher. */
@Injectable()
export class KnowledgeBaseService implements KnowledgeBaseApi {
  constructor(
    private readonly articles: ArticleRepository,
    private readonly matchers: WorkspaceMatcherService,
    private readonly conversations: BotConversationService,
  ) {}

  async createArticle(workspaceId: string, input: ArticleInput): Promise<ArticleView> {
    return this.articles.create(workspaceId, randomUUID(), parseArticleInput(input));
  }

  async updateArticle(workspaceId: string, articleId: string, patch: ArticlePatch): Promise<ArticleView> {
    const valid = parseArticlePatch(patch);
    const updated = UUID.test(articleId) ? await this.articles.update(workspaceId, articleId, valid) : null;
    if (!updated) throw new NotFoundError('article');
    return updated;
  }

  async getArticle(workspaceId: string, articleId: string): Promise<ArticleView> {
    const article = UUID.test(articleId) ? await this.articles.get(workspaceId, articleId) : null;
    if (!article) throw new NotFoundError('article');
    return article;
  }

  async deleteArticle(workspaceId: string, articleId: string): Promise<void> {
    if (!UUID.test(articleId) || !(await this.articles.delete(workspaceId, articleId)))
      throw new NotFoundError('article');
  }

  async searchArticles(workspaceId: string, query: ArticleSearch): Promise<ArticleView[]> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new InvalidArgumentError('invalid search', [{ field: 'limit', description: 'from 1 to 500' }]);
    if (query.text !== undefined && query.text.length > 200)
      throw new InvalidArgumentError('invalid search', [
        { field: 'text', description: 'at most 200 characters' },
      ]);
    return this.articles.search(workspaceId, { ...query, limit });
  }

  async importArticles(
    workspaceId: string,
    format: KnowledgeBaseFormat,
    content: string,
  ): Promise<ImportResult> {
    if (content.length > KNOWLEDGE_BASE_LIMITS.importLength)
      throw new InvalidArgumentError('import too large', [
        { field: 'content', description: `at most ${KNOWLEDGE_BASE_LIMITS.importLength} characters` },
      ]);
    const articles = parseImportedArticles(format === 'csv' ? parseArticlesCsv(content) : parseJson(content));
    const ids = articles.map((a) => a.id).filter((id) => id !== undefined);
    if (new Set(ids).size !== ids.length)
      throw new InvalidArgumentError('invalid import', [
        { field: 'articles', description: 'an id appears twice' },
      ]);
    if (articles.length === 0) return { created: 0, updated: 0 };
    return this.articles.importAll(
      workspaceId,
      articles.map((a) => ({ ...a, id: a.id ?? randomUUID() })),
    );
  }

  async exportArticles(workspaceId: string, format: KnowledgeBaseFormat): Promise<string> {
    const articles = await this.articles.all(workspaceId);
    const rows = articles.map(({ id, title, answer, questions, tags, state }) => ({
      id,
      title,
      answer,
      questions,
      tags,
      state,
    }));
    return format === 'csv' ? formatArticlesCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`;
  }

  async tryQuestion(workspaceId: string, text: string): Promise<BotAnswerView> {
    if (text.length > KNOWLEDGE_BASE_LIMITS.questionLength * 4)
      throw new InvalidArgumentError('invalid question', [{ field: 'text', description: 'too long' }]);
    // An admin trying the base after an edit expects the edit: wait for the latest model.
    return this.matchers.answer(workspaceId, text, { latest: true });
  }

  async setChannelBot(workspaceId: string, channel: Channel, enabled: boolean): Promise<void> {
    if (typeof enabled !== 'boolean')
      throw new InvalidArgumentError('invalid switch', [{ field: 'enabled', description: 'true or false' }]);
    await this.conversations.switchChannel(workspaceId, parseChannel(channel), enabled ? 'built-in' : 'off');
  }

  async listBotChannels(workspaceId: string): Promise<Channel[]> {
    return (await this.conversations.switchedOnChannels(workspaceId)).map((c) => c.channel);
  }

  async setChannelBotMode(workspaceId: string, channel: Channel, mode: BotMode): Promise<void> {
    if (!(BOT_MODES as readonly unknown[]).includes(mode))
      throw new InvalidArgumentError('invalid mode', [
        { field: 'mode', description: `one of ${BOT_MODES.join(', ')}` },
      ]);
    await this.conversations.switchChannel(workspaceId, parseChannel(channel), mode);
  }

  listChannelBotModes(workspaceId: string): Promise<ChannelBotMode[]> {
    return this.conversations.switchedOnChannels(workspaceId);
  }

  async getArticleStats(workspaceId: string, articleIds?: string[]): Promise<ArticleStatsView[]> {
    if (
      articleIds !== undefined &&
      (!Array.isArray(articleIds) ||
        articleIds.length > 500 ||
        !articleIds.every((id) => UUID.test(String(id))))
    )
      throw new InvalidArgumentError('invalid article ids', [
        { field: 'articleIds', description: 'up to 500 article ids' },
      ]);
    return this.conversations.articleStats(workspaceId, articleIds ?? null);
  }
}

function parseChannel(channel: unknown): Channel {
  const parsed = channelSchema.safeParse(channel);
  if (!parsed.success)
    throw new InvalidArgumentError('invalid channel', [
      { field: 'channel', description: 'an unknown channel' },
    ]);
  return parsed.data;
}

function parseJson(content: string): unknown {
  try {
    const parsed = JSON.parse(content) as unknown;
    // Accept the export's bare array, or { "articles": [...] }.
    return Array.isArray(parsed) ? parsed : (parsed as { articles?: unknown } | null)?.articles;
  } catch {
    throw new InvalidArgumentError('invalid JSON', [{ field: 'content', description: 'not valid JSON' }]);
  }
}
