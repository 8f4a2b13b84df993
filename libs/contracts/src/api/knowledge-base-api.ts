import type { Channel } from '../channels.js';
import { methodsOf, type ServicePort } from './service-ports.js';

/**
 * The bot's knowledge base, per workspace: articles the answer bot answers with. The inbox's
 * admin pages and the gRPC API call it; scoped by workspace like the other service interfaces
 * (another workspace's article reads NotFoundError). Article text is plain text, stored as
 * written (markup included) and escaped wherever it is shown.
 */
export interface KnowledgeBaseApi {
  /** InvalidArgumentError names the field (empty title or answer, no question, over a limit…). */
  createArticle(workspaceId: string, input: ArticleInput): Promise<ArticleView>;
  /** Changes only what the patch names; NotFoundError when absent. */
  updateArticle(workspaceId: string, articleId: string, patch: ArticlePatch): Promise<ArticleView>;
  getArticle(workspaceId: string, articleId: string): Promise<ArticleView>;
  deleteArticle(workspaceId: string, articleId: string): Promise<void>;
  /** Newest change first; `text` matches title, answer, questions and tags (case-insensitive). */
  searchArticles(workspaceId: string, query: ArticleSearch): Promise<ArticleView[]>;
  /**
   * All or nothing: articles with an `id` of this workspace are replaced, the others created.
   * InvalidArgumentError (naming `articles.<n>.<field>`) for a malformed file, one over the limits
   * (KNOWLEDGE_BASE_LIMITS), or a base that would outgrow them.
   */
  importArticles(workspaceId: string, format: KnowledgeBaseFormat, content: string): Promise<ImportResult>;
  exportArticles(workspaceId: string, format: KnowledgeBaseFormat): Promise<string>;
  /** What the bot would answer to this question now (published articles only): for admins to try. */
  tryQuestion(workspaceId: string, text: string): Promise<BotAnswerView>;
  /** Switches the bot on or off for new conversations on a channel; routing learns it in order (ADR 0080). */
  setChannelBot(workspaceId: string, channel: Channel, enabled: boolean): Promise<void>;
  /** The channels the bot is switched on for (built-in or external). */
  listBotChannels(workspaceId: string): Promise<Channel[]>;
  /**
   * Which bot holds new conversations on a channel (ADR 0083): `built-in` (the answer bot),
   * `external` (an integrator's, over gRPC `BotService`) or `off`. Routing holds them for either.
   */
  setChannelBotMode(workspaceId: string, channel: Channel, mode: BotMode): Promise<void>;
  /** Every channel whose bot is not off, with its mode. */
  listChannelBotModes(workspaceId: string): Promise<ChannelBotMode[]>;
  /**
   * What each article did in conversations (answered with, said to help or not, handed to people
   * after it), newest change first; only the articles named, when `articleIds` is given (up to
   * 500). Articles of this workspace only; zeros where nothing happened yet.
   */
  getArticleStats(workspaceId: string, articleIds?: string[]): Promise<ArticleStatsView[]>;
}

/** DI token under which the bot's module (in process) or the RPC client (remote) provides it. */
export const KNOWLEDGE_BASE_API = Symbol.for('switchboard.KnowledgeBaseApi');

export const knowledgeBaseApiPort: ServicePort<KnowledgeBaseApi> = {
  name: 'knowledge-base',
  token: KNOWLEDGE_BASE_API,
  methods: methodsOf<KnowledgeBaseApi>({
    createArticle: true,
    updateArticle: true,
    getArticle: true,
    deleteArticle: true,
    searchArticles: true,
    importArticles: true,
    exportArticles: true,
    tryQuestion: true,
    setChannelBot: true,
    listBotChannels: true,
    setChannelBotMode: true,
    listChannelBotModes: true,
    getArticleStats: true,
  }),
};

export type ArticleState = 'draft' | 'published';

/** Who holds a channel's new conversations before people (ADR 0083). */
export const BOT_MODES = ['off', 'built-in', 'external'] as const;
export type BotMode = (typeof BOT_MODES)[number];

export interface ChannelBotMode {
  channel: Channel;
  mode: Exclude<BotMode, 'off'>;
}

/**
 * An article with this tag asks for card details with its answer on web chat (ADR 0082's secure
 * form): the bot's answer carries the card form, and the token reaches the gRPC event feed.
 */
export const REQUEST_CARD_TAG = 'request-card';
export type KnowledgeBaseFormat = 'csv' | 'json';

/** Bounds that keep one workspace's base, and one import, from exhausting memory or the matcher. */
export const KNOWLEDGE_BASE_LIMITS = {
  articlesPerWorkspace: 5_000,
  questionsPerArticle: 200,
  tagsPerArticle: 20,
  titleLength: 200,
  answerLength: 10_000,
  questionLength: 500,
  tagLength: 50,
  /** Characters of one import file. */
  importLength: 5_000_000,
} as const;

export interface ArticleInput {
  title: string;
  /** Plain text; links are written as URLs. */
  answer: string;
  /** The questions it answers, as customers would phrase them: at least one. */
  questions: string[];
  tags?: string[];
  /** Default `draft`: the bot answers only with published articles. */
  state?: ArticleState;
}

export type ArticlePatch = Partial<ArticleInput>;

export interface ArticleView {
  id: string;
  title: string;
  answer: string;
  questions: string[];
  tags: string[];
  state: ArticleState;
  createdAt: string;
  updatedAt: string;
}

export interface ArticleSearch {
  text?: string;
  state?: ArticleState;
  tag?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface ImportResult {
  created: number;
  updated: number;
}

export interface ArticleStatsView {
  articleId: string;
  /** Customer messages the bot answered with this article. */
  answered: number;
  /** A yes or thanks right after its answer (or the widget's feedback "yes"). */
  helpful: number;
  /** A no right after its answer, or the same article matched again. */
  notHelpful: number;
  /** Conversations handed to people (by the bot, a timeout, a switch-off or a takeover) after it answered in them. */
  handedOffAfter: number;
}

export type BotAnswerView =
  | { kind: 'answer'; article: ArticleView; confidence: number; threshold: number }
  | { kind: 'decline'; confidence: number; threshold: number };

const BOT_ANSWER_PREFIX = 'article:';

/**
 * The sender id of the bot's answers names the article (`article:<id>`): history keeps which
 * article answered, and the widget asks "Did this answer your question?" under answers only (not
 * under the bot's hand-off notice).
 */
export function botAnswerSenderId(articleId: string): string {
  return `${BOT_ANSWER_PREFIX}${articleId}`;
}

export function isBotAnswerSender(sender: { type: string; id?: string | undefined }): boolean {
  return sender.type === 'bot' && sender.id?.startsWith(BOT_ANSWER_PREFIX) === true;
}
