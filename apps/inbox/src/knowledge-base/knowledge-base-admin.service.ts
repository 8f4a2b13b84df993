import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  FailedPreconditionError,
  KNOWLEDGE_BASE_API,
  channelSchema,
  type ArticleStatsView,
  type ArticleInput,
  type ArticlePatch,
  type ArticleSearch,
  type ArticleView,
  type BotAnswerView,
  type BotMode,
  type Channel,
  type ImportResult,
  type KnowledgeBaseApi,
  type KnowledgeBaseFormat,
} from '@switchboard/contracts';
import type { SessionContext } from '../auth/session-context.js';

/** One channel's bot, as Admin → Knowledge base shows it (ADR 0083: built-in or external). */
export interface BotChannelView {
  channel: Channel;
  /** The bot (either) takes new conversations there. */
  enabled: boolean;
  mode: BotMode;
}

/** `GET /api/inbox/admin/knowledge-base/articles`. */
export interface ArticleListView {
  /** False when the inbox runs without the bot (no BOT_API_URL). */
  available: boolean;
  articles: ArticleView[];
  counts: ArticleStatsView[];
}

/** `GET /api/inbox/admin/knowledge-base/channels`. */
export interface BotChannelsView {
  available: boolean;
  channels: BotChannelView[];
}

/**
 * Admin → Knowledge base: the session's workspace's articles and the bot's per-channel switch,
 * over the bot's KnowledgeBaseApi port (in process, or over internal RPC at BOT_API_URL when the
 * inbox runs alone). Without the bot (the inbox alone with no BOT_API_URL) the list is empty and
 * every change says why.
 */
@Injectable()
export class KnowledgeBaseAdminService {
  constructor(@Optional() @Inject(KNOWLEDGE_BASE_API) private readonly kb: KnowledgeBaseApi | null) {}

  get available(): boolean {
    return this.kb !== null && this.kb !== undefined;
  }

  async search(session: SessionContext, query: ArticleSearch): Promise<ArticleView[]> {
    return this.kb ? this.kb.searchArticles(session.workspaceId, query) : [];
  }

  async counts(session: SessionContext): Promise<ArticleStatsView[]> {
    return this.kb ? this.kb.getArticleStats(session.workspaceId) : [];
  }

  get(session: SessionContext, articleId: string): Promise<ArticleView> {
    return this.port().getArticle(session.workspaceId, articleId);
  }

  create(session: SessionContext, input: ArticleInput): Promise<ArticleView> {
    return this.port().createArticle(session.workspaceId, input);
  }

  update(session: SessionContext, articleId: string, patch: ArticlePatch): Promise<ArticleView> {
    return this.port().updateArticle(session.workspaceId, articleId, patch);
  }

  remove(session: SessionContext, articleId: string): Promise<void> {
    return this.port().deleteArticle(session.workspaceId, articleId);
  }

  import(session: SessionContext, format: KnowledgeBaseFormat, content: string): Promise<ImportResult> {
    return this.port().importArticles(session.workspaceId, format, content);
  }

  export(session: SessionContext, format: KnowledgeBaseFormat): Promise<string> {
    return this.port().exportArticles(session.workspaceId, format);
  }

  tryQuestion(session: SessionContext, text: string): Promise<BotAnswerView> {
    return this.port().tryQuestion(session.workspaceId, text);
  }

  /** Every channel, switched on or not: the admin sees where the bot answers. */
  async channels(session: SessionContext): Promise<BotChannelView[]> {
    const on = new Map(
      (this.kb ? await this.kb.listChannelBotModes(session.workspaceId) : []).map((c) => [c.channel, c.mode]),
    );
    return channelSchema.options.map((channel) => {
      const mode = on.get(channel) ?? 'off';
      return { channel, enabled: mode !== 'off', mode };
    });
  }

  async switchChannel(session: SessionContext, channel: Channel, mode: BotMode): Promise<BotChannelView> {
    await this.port().setChannelBotMode(session.workspaceId, channel, mode);
    return { channel, enabled: mode !== 'off', mode };
  }

  private port(): KnowledgeBaseApi {
    if (!this.kb)
      throw new FailedPreconditionError('the answer bot is not deployed with this inbox (BOT_API_URL)');
    return this.kb;
  }
}
