import {
  InvalidArgumentError,
  KNOWLEDGE_BASE_LIMITS as LIMITS,
  type ArticleInput,
  type ArticlePatch,
  type ArticleState,
} from '@switchboard/contracts';
import { z } from 'zod';

// Control characters other than tab and line breaks have no place in an article.
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((value) => !hasControlCharacters(value), 'control characters are not allowed');

function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

const question = text(LIMITS.questionLength).min(1, 'a question is empty');

const fields = {
  title: text(LIMITS.titleLength).min(1, 'a title is required'),
  answer: text(LIMITS.answerLength).min(1, 'an answer is required'),
  questions: z
    .array(question)
    .min(1, 'at least one question the article answers is required')
    .max(LIMITS.questionsPerArticle),
  tags: z.array(text(LIMITS.tagLength).min(1).toLowerCase()).max(LIMITS.tagsPerArticle),
  state: z.enum(['draft', 'published']),
};

export const articleInputSchema = z
  .object({ ...fields, tags: fields.tags.optional(), state: fields.state.optional() })
  .strict();

export const articlePatchSchema = z.object(fields).partial().strict();

/** An article as imported: an optional id says which existing article it replaces. */
export const importedArticleSchema = articleInputSchema.extend({ id: z.uuid().optional() });

export interface ValidArticle {
  title: string;
  answer: string;
  questions: string[];
  tags: string[];
  state: ArticleState;
}

export type ImportedArticle = ValidArticle & { id?: string };

/** Parses at the edge; every problem named by its field, as InvalidArgumentError. */
export function parseArticleInput(input: ArticleInput): ValidArticle {
  const valid = parse(articleInputSchema, input, 'article');
  return withDefaults(valid);
}

export function parseArticlePatch(patch: ArticlePatch): Partial<ValidArticle> {
  const valid = parse(articlePatchSchema, patch, 'article');
  return { ...valid, ...(valid.tags ? { tags: distinct(valid.tags) } : {}) };
}

export function parseImportedArticles(items: unknown): ImportedArticle[] {
  const list = parse(z.array(z.unknown()).max(LIMITS.articlesPerWorkspace), items, 'import');
  const violations: { field: string; description: string }[] = [];
  const articles: ImportedArticle[] = [];
  list.forEach((item, n) => {
    const result = importedArticleSchema.safeParse(item);
    if (result.success)
      articles.push({ ...withDefaults(result.data), ...(result.data.id ? { id: result.data.id } : {}) });
    else
      for (const issue of result.error.issues)
        violations.push({ field: ['articles', n, ...issue.path].join('.'), description: issue.message });
  });
  // Stop at a screenful: a wrong file would otherwise answer with thousands of lines.
  if (violations.length > 0) throw new InvalidArgumentError('invalid import', violations.slice(0, 50));
  return articles;
}

function withDefaults(article: z.infer<typeof articleInputSchema>): ValidArticle {
  return {
    title: article.title,
    answer: article.answer,
    questions: article.questions,
    tags: distinct(article.tags ?? []),
    state: article.state ?? 'draft',
  };
}

function distinct(tags: string[]): string[] {
  return [...new Set(tags)];
}

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidArgumentError(
    `invalid ${what}`,
    result.error.issues.map((issue) => ({ field: issue.path.join('.'), description: issue.message })),
  );
}
