import { Injectable } from '@nestjs/common';
import {
  type IdentityKind,
  type MergeCustomersInput,
  type MergeSuggestionView,
  type MergeView,
  type MessageSender,
  NotFoundError,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { isoRequired, rows } from '../database/sql.util.js';
import { appendToOutbox } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { mergeCustomersInTransaction, undoMergeInTransaction } from './merge.operations.js';

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

  async suggestions(workspaceId: string, customerId: string): Promise<MergeSuggestionView[]> {
    const customer = await rows<{ id: string }>(
      this.db,
      'SELECT id FROM history.customers WHERE workspace_id = $1 AND id = $2',
      [workspaceId, customerId],
    );
    if (customer.length === 0) throw new NotFoundError(`customer ${customerId}`);
    const found = await rows<{
      id: string;
      customer_id: string;
      candidate_customer_id: string;
      kind: IdentityKind;
      value: string;
      created_at: Date;
    }>(
      this.db,
      `SELECT s.id, s.customer_id, s.candidate_customer_id, s.kind, s.value, s.created_at
       FROM history.merge_suggestions s
       JOIN history.customers a ON a.id = s.customer_id
       JOIN history.customers b ON b.id = s.candidate_customer_id
       WHERE s.workspace_id = $1 AND (s.customer_id = $2 OR s.candidate_customer_id = $2)
         AND a.merged_into IS NULL AND b.merged_into IS NULL AND a.erased_at IS NULL AND b.erased_at IS NULL
       ORDER BY s.created_at, s.id`,
      [workspaceId, customerId],
    );
    return found.map((s) => ({
      id: s.id,
      customerId: s.customer_id,
      candidateCustomerId: s.candidate_customer_id,
      identity: { kind: s.kind, value: s.value },
      createdAt: isoRequired(s.created_at),
    }));
  }
}
