import { Injectable } from '@nestjs/common';
import type { ArticleCountsView, Channel } from '@switchboard/contracts';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import type { BotConversationState } from './bot-policy.js';

export interface HeldConversation {
  readonly conversationId: string;
  readonly customerId: string;
  readonly lastSequence: number;
  readonly state: BotConversationState;
}

interface ConversationRow {
  conversation_id: string;
  customer_id: string;
  status: BotConversationState['status'];
  article_ids: string[];
  unhelpful: number;
  last_sequence: number;
}

/** The channels the bot serves and the conversations it holds, per workspace. */
@Injectable()
export class BotConversationRepository {
  constructor(@InjectServiceDataSource('bot') private readonly db: DataSource) {}

  async isSwitchedOn(workspaceId: string, channel: Channel): Promise<boolean> {
    const [row] = await queryRows<{ enabled: boolean }>(
      this.db,
      'SELECT enabled FROM bot.channel_bots WHERE workspace_id = $1 AND channel = $2',
      [workspaceId, channel],
    );
    return row?.enabled ?? false;
  }

  /**
   * Per article, from the conversations the bot held: how often it answered with it, and in how
   * many conversations it was the last answer before a hand-off to people.
   */
  async articleCounts(workspaceId: string): Promise<ArticleCountsView[]> {
    const rows = await queryRows<{ article_id: string; answered: number; handed_off: number }>(
      this.db,
      `SELECT u.article_id,
              count(*)::int AS answered,
              count(*) FILTER (WHERE c.status = 'handed_off' AND u.ord = cardinality(c.article_ids))::int
                AS handed_off
         FROM bot.conversations c
        CROSS JOIN LATERAL unnest(c.article_ids) WITH ORDINALITY AS u(article_id, ord)
        WHERE c.workspace_id = $1
        GROUP BY u.article_id`,
      [workspaceId],
    );
    return rows.map((r) => ({ articleId: r.article_id, answered: r.answered, handedOff: r.handed_off }));
  }

  async switchedOnChannels(workspaceId: string): Promise<Channel[]> {
    const rows = await queryRows<{ channel: Channel }>(
      this.db,
      'SELECT channel FROM bot.channel_bots WHERE workspace_id = $1 AND enabled ORDER BY channel',
      [workspaceId],
    );
    return rows.map((r) => r.channel);
  }

  /** Writes the switch, then runs `announce` before committing: both happen, or neither. */
  async switchChannel(
    workspaceId: string,
    channel: Channel,
    enabled: boolean,
    announce: () => Promise<void>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO bot.channel_bots (workspace_id, channel, enabled) VALUES ($1, $2, $3)
         ON CONFLICT (workspace_id, channel) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
        [workspaceId, channel, enabled],
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
      `SELECT conversation_id, customer_id, status, article_ids, unhelpful, last_sequence
       FROM bot.conversations WHERE workspace_id = $1 AND conversation_id = $2`,
      [workspaceId, conversationId],
    );
    if (!row) return null;
    return {
      conversationId: row.conversation_id,
      customerId: row.customer_id,
      lastSequence: row.last_sequence,
      state: { status: row.status, articleIds: row.article_ids, unhelpful: row.unhelpful },
    };
  }

  /** Records the message as handled; only forwards, so an older redelivery can't roll state back. */
  async record(
    workspaceId: string,
    conversationId: string,
    sequence: number,
    state: BotConversationState,
  ): Promise<void> {
    await this.db.query(
      `UPDATE bot.conversations SET status = $3, article_ids = $4, unhelpful = $5, last_sequence = $6, updated_at = now()
       WHERE workspace_id = $1 AND conversation_id = $2 AND last_sequence < $6`,
      [workspaceId, conversationId, state.status, state.articleIds, state.unhelpful, sequence],
    );
  }
}
