import { Injectable } from '@nestjs/common';
import type {
  ArticleStatsView,
  BotMode,
  BotReleaseReason,
  Channel,
  ChannelBotMode,
} from '@switchboard/contracts';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { BotConversationState } from './bot-policy.js';

/** Counts to add to articles' figures, in the transaction that records what caused them. */
export interface ArticleCounts {
  readonly answered?: string;
  readonly feedback?: { readonly articleId: string; readonly helpful: boolean } | null;
  /** Articles answered with before a hand-off (each counted once). */
  readonly handedOffAfter?: readonly string[];
}

export interface HeldConversation {
  readonly conversationId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly lastSequence: number;
  readonly state: BotConversationState;
}

interface ConversationRow {
  conversation_id: string;
  customer_id: string;
  channel: Channel;
  status: BotConversationState['status'];
  article_ids: string[];
  unhelpful: number;
  last_sequence: number;
}

/** The channels the bot serves and the conversations it holds, per workspace. */
@Injectable()
export class BotConversationRepository {
  constructor(@InjectServiceDataSource('bot') private readonly db: DataSource) {}

  /** Which bot takes the channel's new conversations (ADR 0083). */
  async modeOf(workspaceId: string, channel: Channel): Promise<BotMode> {
    const [row] = await queryRows<{ enabled: boolean; mode: ChannelBotMode['mode'] }>(
      this.db,
      'SELECT enabled, mode FROM bot.channel_bots WHERE workspace_id = $1 AND channel = $2',
      [workspaceId, channel],
    );
    return row?.enabled ? row.mode : 'off';
  }

  async switchedOnChannels(workspaceId: string): Promise<ChannelBotMode[]> {
    return queryRows<ChannelBotMode>(
      this.db,
      'SELECT channel, mode FROM bot.channel_bots WHERE workspace_id = $1 AND enabled ORDER BY channel',
      [workspaceId],
    );
  }

  /** Writes the switch, then runs `announce` before committing: both happen, or neither. */
  async switchChannel(
    workspaceId: string,
    channel: Channel,
    mode: BotMode,
    announce: () => Promise<void>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Off keeps the last mode, as a switch keeps its position.
      await tx.query(
        `INSERT INTO bot.channel_bots (workspace_id, channel, enabled, mode)
         VALUES ($1, $2, $3, coalesce($4, 'built-in'))
         ON CONFLICT (workspace_id, channel) DO UPDATE SET enabled = EXCLUDED.enabled,
           mode = coalesce($4, bot.channel_bots.mode), updated_at = now()`,
        [workspaceId, channel, mode !== 'off', mode === 'off' ? null : mode],
      );
      await announce();
    });
  }

  /** Starts holding a conversation; a redelivered opening changes nothing. */
  async hold(
    workspaceId: string,
    conversationId: string,
    customerId: string,
    channel: Channel,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO bot.conversations (workspace_id, conversation_id, customer_id, channel, status)
       VALUES ($1, $2, $3, $4, 'active') ON CONFLICT (workspace_id, conversation_id) DO NOTHING`,
      [workspaceId, conversationId, customerId, channel],
    );
  }

  async find(workspaceId: string, conversationId: string): Promise<HeldConversation | null> {
    const [row] = await queryRows<ConversationRow>(
      this.db,
      `SELECT conversation_id, customer_id, channel, status, article_ids, unhelpful, last_sequence
       FROM bot.conversations WHERE workspace_id = $1 AND conversation_id = $2`,
      [workspaceId, conversationId],
    );
    if (!row) return null;
    return {
      conversationId: row.conversation_id,
      customerId: row.customer_id,
      channel: row.channel,
      lastSequence: row.last_sequence,
      state: { status: row.status, articleIds: row.article_ids, unhelpful: row.unhelpful },
    };
  }

  /**
   * Records the message as handled and counts what it did to articles, in one transaction; only
   * forwards, so an older redelivery can't roll state back nor count twice, and never back to
   * active once routing released the conversation (a release racing the message's handling).
   */
  async record(
    workspaceId: string,
    conversationId: string,
    sequence: number,
    state: BotConversationState,
    counts: ArticleCounts = {},
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const moved = await queryRows<{ one: number }>(
        tx,
        // A status only moves on from active: routing's release may have landed since `find`.
        `UPDATE bot.conversations SET
           status = CASE WHEN status = 'active' THEN $3 ELSE status END,
           article_ids = $4, unhelpful = $5, last_sequence = $6, updated_at = now()
         WHERE workspace_id = $1 AND conversation_id = $2 AND last_sequence < $6 RETURNING 1 AS one`,
        [workspaceId, conversationId, state.status, state.articleIds, state.unhelpful, sequence],
      );
      if (moved.length > 0) await this.count(tx, workspaceId, counts);
    });
  }

  /**
   * Routing took the conversation from the bot (timeout, switch-off, takeover): the bot stops in
   * it. Counted once, when it was still active — the bot's own hand-off already stopped it.
   */
  async release(workspaceId: string, conversationId: string, reason: BotReleaseReason): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [row] = await queryRows<{ article_ids: string[] }>(
        tx,
        `UPDATE bot.conversations SET status = $3, updated_at = now()
         WHERE workspace_id = $1 AND conversation_id = $2 AND status = 'active' RETURNING article_ids`,
        [workspaceId, conversationId, reason === 'taken_over' ? 'silenced' : 'handed_off'],
      );
      if (row) await this.count(tx, workspaceId, { handedOffAfter: row.article_ids });
    });
  }

  /** Each article's figures; articles of the workspace only, zero where nothing happened yet. */
  async articleStats(workspaceId: string, articleIds: readonly string[] | null): Promise<ArticleStatsView[]> {
    const rows = await queryRows<{
      id: string;
      answered: number | null;
      helpful: number | null;
      not_helpful: number | null;
      handed_off_after: number | null;
    }>(
      this.db,
      `SELECT a.id, s.answered, s.helpful, s.not_helpful, s.handed_off_after
       FROM bot.articles a LEFT JOIN bot.article_stats s ON s.workspace_id = a.workspace_id AND s.article_id = a.id
       WHERE a.workspace_id = $1 AND ($2::uuid[] IS NULL OR a.id = ANY($2::uuid[]))
       ORDER BY a.updated_at DESC, a.id`,
      [workspaceId, articleIds],
    );
    return rows.map((r) => ({
      articleId: r.id,
      answered: r.answered ?? 0,
      helpful: r.helpful ?? 0,
      notHelpful: r.not_helpful ?? 0,
      handedOffAfter: r.handed_off_after ?? 0,
    }));
  }

  private async count(tx: EntityManager, workspaceId: string, counts: ArticleCounts): Promise<void> {
    const add = new Map<string, [number, number, number, number]>();
    const at = (id: string) => {
      let row = add.get(id);
      if (!row) add.set(id, (row = [0, 0, 0, 0]));
      return row;
    };
    if (counts.answered) at(counts.answered)[0]++;
    if (counts.feedback) at(counts.feedback.articleId)[counts.feedback.helpful ? 1 : 2]++;
    for (const id of new Set(counts.handedOffAfter ?? [])) at(id)[3]++;
    if (add.size === 0) return;
    const ids = [...add.keys()];
    const column = (i: number) => ids.map((id) => add.get(id)![i]!);
    // Only articles that still exist: one deleted meanwhile has nothing left to improve.
    await tx.query(
      `INSERT INTO bot.article_stats AS s (workspace_id, article_id, answered, helpful, not_helpful, handed_off_after)
       SELECT $1, t.id, t.a, t.h, t.n, t.o
       FROM unnest($2::uuid[], $3::int[], $4::int[], $5::int[], $6::int[]) AS t(id, a, h, n, o)
       WHERE EXISTS (SELECT 1 FROM bot.articles x WHERE x.workspace_id = $1 AND x.id = t.id)
       ON CONFLICT (workspace_id, article_id) DO UPDATE SET
         answered = s.answered + excluded.answered, helpful = s.helpful + excluded.helpful,
         not_helpful = s.not_helpful + excluded.not_helpful,
         handed_off_after = s.handed_off_after + excluded.handed_off_after`,
      [workspaceId, ids, column(0), column(1), column(2), column(3)],
    );
  }
}
