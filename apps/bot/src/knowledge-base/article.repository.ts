import { Injectable } from '@nestjs/common';
import {
  InvalidArgumentError,
  KNOWLEDGE_BASE_LIMITS,
  type ArticleSearch,
  type ArticleState,
  type ArticleView,
} from '@switchboard/contracts';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { ImportedArticle, ValidArticle } from './article.validation.js';

interface ArticleRow {
  id: string;
  title: string;
  answer: string;
  questions: string[];
  tags: string[];
  state: ArticleState;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, title, answer, questions, tags, state, created_at, updated_at';

/**
 * The knowledge base's rows. Every write takes the workspace's row in bot.workspaces first and
 * raises its revision: writes to one workspace are serialised (so the article limit holds under
 * concurrency) and matchers learn the base changed.
 */
@Injectable()
export class ArticleRepository {
  constructor(@InjectServiceDataSource('bot') private readonly db: DataSource) {}

  create(workspaceId: string, id: string, article: ValidArticle): Promise<ArticleView> {
    return this.db.transaction(async (tx) => {
      await this.bumpRevision(tx, workspaceId);
      const [row] = await queryRows<ArticleRow>(
        tx,
        `INSERT INTO bot.articles (workspace_id, id, title, answer, questions, tags, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [workspaceId, id, article.title, article.answer, article.questions, article.tags, article.state],
      );
      await this.assertWithinLimit(tx, workspaceId);
      return toView(row!);
    });
  }

  /** Null when the workspace has no such article. */
  update(workspaceId: string, id: string, patch: Partial<ValidArticle>): Promise<ArticleView | null> {
    return this.db.transaction(async (tx) => {
      await this.bumpRevision(tx, workspaceId);
      const [row] = await queryRows<ArticleRow>(
        tx,
        `UPDATE bot.articles SET
           title = COALESCE($3, title), answer = COALESCE($4, answer), questions = COALESCE($5, questions),
           tags = COALESCE($6, tags), state = COALESCE($7, state), updated_at = now()
         WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [
          workspaceId,
          id,
          patch.title ?? null,
          patch.answer ?? null,
          patch.questions ?? null,
          patch.tags ?? null,
          patch.state ?? null,
        ],
      );
      return row ? toView(row) : null;
    });
  }

  async get(workspaceId: string, id: string): Promise<ArticleView | null> {
    const [row] = await queryRows<ArticleRow>(
      this.db,
      `SELECT ${COLUMNS} FROM bot.articles WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return row ? toView(row) : null;
  }

  /** False when the workspace has no such article. */
  delete(workspaceId: string, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await this.bumpRevision(tx, workspaceId);
      const rows = await queryRows<{ id: string }>(
        tx,
        'DELETE FROM bot.articles WHERE workspace_id = $1 AND id = $2 RETURNING id',
        [workspaceId, id],
      );
      await tx.query('DELETE FROM bot.article_stats WHERE workspace_id = $1 AND article_id = $2', [
        workspaceId,
        id,
      ]);
      return rows.length > 0;
    });
  }

  async search(
    workspaceId: string,
    query: Required<Pick<ArticleSearch, 'limit'>> & ArticleSearch,
  ): Promise<ArticleView[]> {
    const pattern = query.text ? `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const rows = await queryRows<ArticleRow>(
      this.db,
      `SELECT ${COLUMNS} FROM bot.articles
       WHERE workspace_id = $1
         AND ($2::text IS NULL OR title ILIKE $2 OR answer ILIKE $2
              OR array_to_string(questions, E'\\n') ILIKE $2 OR array_to_string(tags, ',') ILIKE $2)
         AND ($3::text IS NULL OR state = $3)
         AND ($4::text IS NULL OR $4 = ANY (tags))
       ORDER BY updated_at DESC, id LIMIT $5`,
      [workspaceId, pattern, query.state ?? null, query.tag?.toLowerCase() ?? null, query.limit],
    );
    return rows.map(toView);
  }

  async all(workspaceId: string, state?: ArticleState): Promise<ArticleView[]> {
    const rows = await queryRows<ArticleRow>(
      this.db,
      `SELECT ${COLUMNS} FROM bot.articles WHERE workspace_id = $1 AND ($2::text IS NULL OR state = $2)
       ORDER BY title, id`,
      [workspaceId, state ?? null],
    );
    return rows.map(toView);
  }

  /** The workspace's revision: 0 before its first article. */
  async revision(workspaceId: string): Promise<number> {
    const [row] = await queryRows<{ revision: string }>(
      this.db,
      'SELECT revision FROM bot.workspaces WHERE workspace_id = $1',
      [workspaceId],
    );
    return row ? Number(row.revision) : 0;
  }

  /** One statement for the whole file, in one transaction: all of it or none. */
  importAll(
    workspaceId: string,
    articles: readonly (ImportedArticle & { id: string })[],
  ): Promise<{ created: number; updated: number }> {
    return this.db.transaction(async (tx) => {
      await this.bumpRevision(tx, workspaceId);
      const rows = await queryRows<{ inserted: boolean }>(
        tx,
        `INSERT INTO bot.articles (workspace_id, id, title, answer, questions, tags, state)
         SELECT $1, a.id, a.title, a.answer,
                ARRAY(SELECT jsonb_array_elements_text(a.questions)),
                ARRAY(SELECT jsonb_array_elements_text(a.tags)), a.state
         FROM jsonb_to_recordset($2::jsonb)
           AS a(id uuid, title text, answer text, questions jsonb, tags jsonb, state text)
         ON CONFLICT (workspace_id, id) DO UPDATE SET
           title = EXCLUDED.title, answer = EXCLUDED.answer, questions = EXCLUDED.questions,
           tags = EXCLUDED.tags, state = EXCLUDED.state, updated_at = now()
         RETURNING (xmax = 0) AS inserted`,
        [workspaceId, JSON.stringify(articles)],
      );
      await this.assertWithinLimit(tx, workspaceId);
      const created = rows.filter((r) => r.inserted).length;
      return { created, updated: rows.length - created };
    });
  }

  private async bumpRevision(tx: EntityManager, workspaceId: string): Promise<void> {
    await tx.query(
      `INSERT INTO bot.workspaces (workspace_id, revision) VALUES ($1, 1)
       ON CONFLICT (workspace_id) DO UPDATE SET revision = bot.workspaces.revision + 1`,
      [workspaceId],
    );
  }

  private async assertWithinLimit(tx: EntityManager, workspaceId: string): Promise<void> {
    const [row] = await queryRows<{ count: string }>(
      tx,
      'SELECT count(*) AS count FROM bot.articles WHERE workspace_id = $1',
      [workspaceId],
    );
    const limit = KNOWLEDGE_BASE_LIMITS.articlesPerWorkspace;
    if (Number(row!.count) > limit)
      throw new InvalidArgumentError(`a knowledge base holds at most ${limit} articles`, [
        { field: 'articles', description: `at most ${limit} articles per workspace` },
      ]);
  }
}

function toView(row: ArticleRow): ArticleView {
  return {
    id: row.id,
    title: row.title,
    answer: row.answer,
    questions: row.questions,
    tags: row.tags,
    state: row.state,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
