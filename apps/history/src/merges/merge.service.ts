import { Injectable } from '@nestjs/common';
import {
  type MergeCustomersInput,
  type MergeSuggestionView,
  type MergeView,
  type MessageSender,
  NotFoundError,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { rows } from '../database/sql.util.js';
import { appendToOutbox } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import {
  type MergeSuggestionRow,
  mergeSuggestionsSql,
  toMergeSuggestionView,
} from './merge-suggestion-view.js';
import {
  type MergeRow,
  mergeCustomersInTransaction,
  mergeView,
  undoMergeInTransaction,
} from './merge.operations.js';

/** Merges asked for by agents and integrators, their undo, and the suggestions unverified claims raise. */
@Injectable()
export class MergeService {
  constructor(
    @InjectServiceDataSource('history') private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async merge(workspaceId: string, input: MergeCustomersInput, by: MessageSender): Promise<MergeView> {
    const result = await this.db.transaction(async (tx) => {
      const { merge, outbox } = await mergeCustomersInTransaction(
        tx,
        workspaceId,
        input.targetCustomerId,
        input.sourceCustomerId,
        by,
      );
      await appendToOutbox(tx, outbox);
      return { merge, events: outbox.length };
    });
    if (result.events > 0) this.relay.kick();
    return result.merge;
  }

  async undo(workspaceId: string, mergeId: string, by: MessageSender): Promise<MergeView> {
    const result = await this.db.transaction(async (tx) => {
      const { merge, outbox } = await undoMergeInTransaction(tx, workspaceId, mergeId, by);
      await appendToOutbox(tx, outbox);
      return { merge, events: outbox.length };
    });
    if (result.events > 0) this.relay.kick();
    return result.merge;
  }

  async list(workspaceId: string, customerId: string): Promise<MergeView[]> {
    await this.requireCustomer(workspaceId, customerId);
    const found = await rows<MergeRow>(
      this.db,
      `SELECT id, target_customer_id, source_customer_id, merged_by, merged_at, undone_at
       FROM history.merges
       WHERE workspace_id = $1 AND (target_customer_id = $2 OR source_customer_id = $2)
       ORDER BY merged_at DESC, id DESC
       LIMIT 50`,
      [workspaceId, customerId],
    );
    return found.map(mergeView);
  }

  async suggestions(workspaceId: string, customerId: string): Promise<MergeSuggestionView[]> {
    await this.requireCustomer(workspaceId, customerId);
    const found = await rows<MergeSuggestionRow>(this.db, mergeSuggestionsSql('$2'), [
      workspaceId,
      customerId,
    ]);
    return found.map(toMergeSuggestionView);
  }

  private async requireCustomer(workspaceId: string, customerId: string): Promise<void> {
    const customer = await rows<{ id: string }>(
      this.db,
      'SELECT id FROM history.customers WHERE workspace_id = $1 AND id = $2',
      [workspaceId, customerId],
    );
    if (customer.length === 0) throw new NotFoundError(`customer ${customerId}`);
  }
}
