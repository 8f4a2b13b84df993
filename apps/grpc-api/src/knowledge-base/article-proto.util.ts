import type { ArticleState, ArticleView, grpcV1, KnowledgeBaseFormat } from '@switchboard/contracts';
import { timestamp } from '../mapping/proto-views.util.js';

export const articleStates = {
  toProto: (state: ArticleState): grpcV1.ArticleState =>
    state === 'published' ? 'ARTICLE_STATE_PUBLISHED' : 'ARTICLE_STATE_DRAFT',
  /** Undefined for UNSPECIFIED (or anything unknown). */
  fromProto: (value: string | number | undefined): ArticleState | undefined =>
    value === 'ARTICLE_STATE_PUBLISHED' ? 'published' : value === 'ARTICLE_STATE_DRAFT' ? 'draft' : undefined,
};

export const knowledgeBaseFormats = {
  fromProto: (value: string | number | undefined): KnowledgeBaseFormat | undefined =>
    value === 'KNOWLEDGE_BASE_FORMAT_CSV'
      ? 'csv'
      : value === 'KNOWLEDGE_BASE_FORMAT_JSON'
        ? 'json'
        : undefined,
};

export function article(view: ArticleView): grpcV1.Article {
  return {
    id: view.id,
    title: view.title,
    answer: view.answer,
    questions: view.questions,
    tags: view.tags,
    state: articleStates.toProto(view.state),
    createdAt: timestamp(view.createdAt),
    updatedAt: timestamp(view.updatedAt),
  };
}
