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

  private async requireCustomer(workspaceId: string, customerId: string): Promise<void> {
    const customer = await rows<{ id: string }>(
      this.db,
      'SELECT id FROM history.customers WHERE workspace_id = $1 AND id = $2',
      [workspaceId, customerId],
    );
    if (customer.length === 0) throw new NotFoundError(`customer ${customerId}`);
  }
}
