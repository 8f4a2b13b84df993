import type { IdentityKind, MergeSuggestionView } from '@switchboard/contracts';
import { isoRequired } from '../database/sql.util.js';

export interface MergeSuggestionRow {
  id: string;
  customer_id: string;
  candidate_customer_id: string;
  kind: IdentityKind;
  value: string;
  created_at: Date | string;
}

/**
 * The statement of a customer's merge suggestions: those still between two customers that are
 * neither merged away nor erased, oldest first. `customer` is the SQL of the customer's id, `$1`
 * the workspace.
 */
export function mergeSuggestionsSql(customer: string): string {
  return `SELECT s.id, s.customer_id, s.candidate_customer_id, s.kind, s.value, s.created_at
       FROM history.merge_suggestions s
       JOIN history.customers a ON a.id = s.customer_id
       JOIN history.customers b ON b.id = s.candidate_customer_id
       WHERE s.workspace_id = $1 AND (s.customer_id = ${customer} OR s.candidate_customer_id = ${customer})
         AND a.merged_into IS NULL AND b.merged_into IS NULL AND a.erased_at IS NULL AND b.erased_at IS NULL
       ORDER BY s.created_at, s.id`;
}

export function toMergeSuggestionView(s: MergeSuggestionRow): MergeSuggestionView {
  return {
    id: s.id,
    customerId: s.customer_id,
    candidateCustomerId: s.candidate_customer_id,
    identity: { kind: s.kind, value: s.value },
    createdAt: isoRequired(s.created_at),
  };
}
