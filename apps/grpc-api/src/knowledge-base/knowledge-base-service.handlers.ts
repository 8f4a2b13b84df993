import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  FailedPreconditionError,
  KNOWLEDGE_BASE_API,
  KNOWLEDGE_BASE_LIMITS,
  type ArticlePatch,
  type grpcV1,
  type KnowledgeBaseApi,
} from '@switchboard/contracts';
import { channels } from '../mapping/proto-enums.util.js';
import { RpcHandlerFactory } from '../server/rpc-handler.factory.js';
import { Violations } from '../server/request-validation.util.js';
import { article, articleStates, knowledgeBaseFormats } from './article-proto.util.js';

/**
 * KnowledgeBaseService: validates the request's shape at the edge, then asks the bot's
 * KnowledgeBaseApi with the key's workspace; the bot checks the values and names the field
 * (`articles.3.questions` in an import), answered as INVALID_ARGUMENT. Without the bot (grpc-api
 * alone and no BOT_API_URL) every call is FAILED_PRECONDITION.
 */
@Injectable()
export class KnowledgeBaseServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    @Optional() @Inject(KNOWLEDGE_BASE_API) private readonly kb: KnowledgeBaseApi | null,
  ) {}

  implementation(): grpcV1.KnowledgeBaseServiceHandlers {
    return {
      ListArticles: this.rpc.unary(
        'ListArticles',
        'read',
        async (req: grpcV1.ListArticlesRequest__Output, ctx) => {
          new Violations()
            .text('text', req.text, 0, 200)
            .text('tag', req.tag, 0, KNOWLEDGE_BASE_LIMITS.tagLength)
            .integer('page_size', req.pageSize, 0, 500)
            .throwIfAny();
          const state = articleStates.fromProto(req.state);
          const articles = await this.port().searchArticles(ctx.principal.workspaceId, {
            ...(req.text ? { text: req.text } : {}),
            ...(state ? { state } : {}),
            ...(req.tag ? { tag: req.tag } : {}),
            ...(req.pageSize > 0 ? { limit: req.pageSize } : {}),
          });
          return { articles: articles.map(article) };
        },
      ),
      GetArticle: this.rpc.unary('GetArticle', 'read', async (req: grpcV1.GetArticleRequest__Output, ctx) => {
        new Violations().uuid('article_id', req.articleId).throwIfAny();
        return article(await this.port().getArticle(ctx.principal.workspaceId, req.articleId));
      }),
      CreateArticle: this.rpc.unary(
        'CreateArticle',
        'write',
        async (req: grpcV1.CreateArticleRequest__Output, ctx) => {
          const state = articleStates.fromProto(req.state);
          return article(
            await this.port().createArticle(ctx.principal.workspaceId, {
              title: req.title,
              answer: req.answer,
              questions: req.questions,
              tags: req.tags,
              ...(state ? { state } : {}),
            }),
          );
        },
      ),
      UpdateArticle: this.rpc.unary(
        'UpdateArticle',
        'write',
        async (req: grpcV1.UpdateArticleRequest__Output, ctx) => {
          new Violations().uuid('article_id', req.articleId).throwIfAny();
          return article(
            await this.port().updateArticle(ctx.principal.workspaceId, req.articleId, patchOf(req)),
          );
        },
      ),
      DeleteArticle: this.rpc.unary(
        'DeleteArticle',
        'write',
        async (req: grpcV1.DeleteArticleRequest__Output, ctx) => {
          new Violations().uuid('article_id', req.articleId).throwIfAny();
          await this.port().deleteArticle(ctx.principal.workspaceId, req.articleId);
          return {};
        },
      ),
      ImportArticles: this.rpc.unary(
        'ImportArticles',
        'write',
        async (req: grpcV1.ImportArticlesRequest__Output, ctx) => {
          const format = knowledgeBaseFormats.fromProto(req.format);
          const v = new Violations();
          if (!format) v.add('format', 'is required (CSV or JSON)');
          v.throwIfAny();
          return this.port().importArticles(ctx.principal.workspaceId, format!, req.content);
        },
      ),
      ExportArticles: this.rpc.unary(
        'ExportArticles',
        'read',
        async (req: grpcV1.ExportArticlesRequest__Output, ctx) => {
          const format = knowledgeBaseFormats.fromProto(req.format);
          if (!format) new Violations().add('format', 'is required (CSV or JSON)').throwIfAny();
          return { content: await this.port().exportArticles(ctx.principal.workspaceId, format!) };
        },
      ),
      TryQuestion: this.rpc.unary(
        'TryQuestion',
        'read',
        async (req: grpcV1.TryQuestionRequest__Output, ctx) => {
          new Violations().text('text', req.text, 1, KNOWLEDGE_BASE_LIMITS.questionLength * 4).throwIfAny();
          const answer = await this.port().tryQuestion(ctx.principal.workspaceId, req.text);
          return {
            answered: answer.kind === 'answer',
            article: answer.kind === 'answer' ? article(answer.article) : null,
            confidence: answer.confidence,
            threshold: answer.threshold,
          };
        },
      ),
      ListBotChannels: this.rpc.unary('ListBotChannels', 'read', async (_req, ctx) => ({
        channels: (await this.port().listBotChannels(ctx.principal.workspaceId)).map(channels.toProto),
      })),
      SetChannelBot: this.rpc.unary(
        'SetChannelBot',
        'write',
        async (req: grpcV1.SetChannelBotRequest__Output, ctx) => {
          const channel = channels.fromProto(req.channel);
          if (!channel) new Violations().add('channel', 'is required').throwIfAny();
          await this.port().setChannelBot(ctx.principal.workspaceId, channel!, req.enabled);
          return {};
        },
      ),
    };
  }

  private port(): KnowledgeBaseApi {
    if (!this.kb)
      throw new FailedPreconditionError('the answer bot is not deployed with this API (BOT_API_URL)');
    return this.kb;
  }
}

function patchOf(req: grpcV1.UpdateArticleRequest__Output): ArticlePatch {
  const state = articleStates.fromProto(req.state);
  // proto3 `optional`: the loader names the member set in `_title` when the client sent one.
  return {
    ...(req._title === 'title' ? { title: req.title ?? '' } : {}),
    ...(req._answer === 'answer' ? { answer: req.answer ?? '' } : {}),
    ...(req.questions ? { questions: req.questions.values } : {}),
    ...(req.tags ? { tags: req.tags.values } : {}),
    ...(state ? { state } : {}),
  };
}
