import { type Channel, type CustomerView, type IdentityKind, channelSchema } from '@switchboard/contracts';
import { type Db, iso, isoRequired, rows } from '../database/sql.util.js';

export interface CustomerRow {
  id: string;
  workspace_id: string;
  name: string | null;
  attributes: Record<string, string>;
  created_at: Date | string;
  updated_at: Date | string;
  erased_at: Date | string | null;
  merged_into: string | null;
  identities: {
    id: string;
    kind: IdentityKind;
    value: string;
    verified: boolean;
    optedOut: boolean;
    createdAt: string;
  }[];
  channels: Channel[];
  label_ids: string[];
}

/** Customers with their identities and the channels they wrote from, most recent first. */
export async function loadCustomerViews(
  db: Db,
  workspaceId: string,
  ids: readonly string[],
): Promise<Map<string, CustomerView & { mergedInto: string | null }>> {
  if (ids.length === 0) return new Map();
  const found = await rows<CustomerRow>(
    db,
    `SELECT ${customerViewColumns('$3')} FROM history.customers c WHERE c.workspace_id = $1 AND c.id = ANY($2::uuid[])`,
    // One probe of messages_inbound_channels per channel, not a scan of every inbound message.
    [workspaceId, ids, CHANNELS],
  );
  return new Map(found.map((r) => [r.id, customerRowView(r)]));
}

/** Every channel, the parameter `customerViewColumns` probes by. */
export const CHANNELS: readonly Channel[] = channelSchema.options;

/**
 * The columns of a customer's view over `history.customers c`: identities, the channels they wrote
 * from (most recent first, `channels` names the parameter holding every channel) and labels.
 */
export function customerViewColumns(channels: string): string {
  return `c.id, c.workspace_id, c.name, c.attributes, c.created_at, c.updated_at, c.erased_at, c.merged_into,
       coalesce((SELECT json_agg(json_build_object('id', i.id, 'kind', i.kind, 'value', i.value,
                   'verified', i.verified, 'optedOut', i.opted_out, 'createdAt', i.created_at)
                   ORDER BY i.created_at, i.id)
                 FROM history.identities i WHERE i.customer_id = c.id), '[]') AS identities,
       coalesce((SELECT json_agg(ch.channel ORDER BY ch.last DESC)
                 FROM (SELECT v.channel,
                         (SELECT m.created_at FROM history.messages m
                          WHERE m.workspace_id = c.workspace_id AND m.customer_id = c.id AND m.direction = 'in'
                            AND m.channel = v.channel
                          ORDER BY m.created_at DESC LIMIT 1) AS last
                       FROM unnest(${channels}::text[]) AS v(channel)) ch
                 WHERE ch.last IS NOT NULL), '[]') AS channels,
       ARRAY(SELECT cl.label_id FROM history.customer_labels cl WHERE cl.customer_id = c.id
             ORDER BY cl.created_at, cl.label_id)::text[] AS label_ids`;
}

/** A row of `customerViewColumns` (from pg, or the same row as JSON) as the view. */
export function customerRowView(r: CustomerRow): CustomerView & { mergedInto: string | null } {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    attributes: r.attributes,
    identities: r.identities.map((i) => ({ ...i, createdAt: isoRequired(i.createdAt) })),
    channels: r.channels,
    labelIds: r.label_ids,
    createdAt: isoRequired(r.created_at),
    updatedAt: isoRequired(r.updated_at),
    erasedAt: iso(r.erased_at),
    mergedInto: r.merged_into,
  };
}

export function toCustomerView(view: CustomerView & { mergedInto: string | null }): CustomerView {
  const { mergedInto: _mergedInto, ...rest } = view;
  return rest;
}
