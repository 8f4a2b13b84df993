import { Injectable } from '@nestjs/common';
import {
  type CustomerPatch,
  type CustomerView,
  FailedPreconditionError,
  type FindCustomersQuery,
  NotFoundError,
  type Page,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { decodePageToken, encodePageToken, pageSize } from '../database/page-token.util.js';
import { rows } from '../database/sql.util.js';
import { normalizeRequestedIdentityValue } from '../identities/identity-value.util.js';
import { loadCustomerViews, toCustomerView } from './customer-view.js';

/** Customers: read, find, edit. Merged-away and erased customers are not found by `find`. */
@Injectable()
export class CustomersService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async get(workspaceId: string, customerId: string): Promise<CustomerView> {
    const view = (await loadCustomerViews(this.db, workspaceId, [customerId])).get(customerId);
    if (view === undefined) throw new NotFoundError(`customer ${customerId}`);
    return toCustomerView(view);
  }

  async find(workspaceId: string, query: FindCustomersQuery): Promise<Page<CustomerView>> {
    const size = pageSize(query.pageSize, 50, 200);
    const after = decodePageToken(query.pageToken, ['timestamp', 'uuid']);
    const params: unknown[] = [workspaceId];
    const where = ['c.workspace_id = $1', 'c.merged_into IS NULL', 'c.erased_at IS NULL'];
    if (query.identity !== undefined) {
      params.push(
        query.identity.kind,
        normalizeRequestedIdentityValue(query.identity.kind, query.identity.value, 'identity.value'),
      );
      where.push(
        `EXISTS (SELECT 1 FROM history.identities i WHERE i.workspace_id = $1 AND i.customer_id = c.id
                 AND i.kind = $${params.length - 1} AND i.value = $${params.length})`,
      );
    }
    if (query.attributes !== undefined && Object.keys(query.attributes).length > 0) {
      params.push(JSON.stringify(query.attributes));
      where.push(`c.attributes @> $${params.length}::jsonb`);
    }
    if (query.text !== undefined && query.text.trim() !== '') {
      const prefix =
        query.text
          .trim()
          .toLowerCase()
          .replace(/[\\%_]/g, (ch) => `\\${ch}`) + '%';
      params.push(prefix);
      where.push(
        `(lower(c.name) LIKE $${params.length} OR EXISTS (SELECT 1 FROM history.identities i
           WHERE i.workspace_id = $1 AND i.customer_id = c.id AND lower(i.value) LIKE $${params.length}))`,
      );
    }
    if (after !== null) {
      params.push(after[0], after[1]);
      where.push(`(c.created_at, c.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(size + 1);
    const found = await rows<{ id: string; created_key: string }>(
      this.db,
      `SELECT c.id, c.created_at::text AS created_key FROM history.customers c
       WHERE ${where.join(' AND ')} ORDER BY c.created_at DESC, c.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = found.slice(0, size);
    const views = await loadCustomerViews(
      this.db,
      workspaceId,
      page.map((r) => r.id),
    );
    const last = page.at(-1);
    return {
      items: page.map((r) => toCustomerView(views.get(r.id)!)),
      nextPageToken: found.length > size && last ? encodePageToken([last.created_key, last.id]) : null,
    };
  }

  async update(workspaceId: string, customerId: string, patch: CustomerPatch): Promise<CustomerView> {
    const set = Object.entries(patch.attributes ?? {}).filter(([, v]) => v !== null);
    const remove = Object.entries(patch.attributes ?? {})
      .filter(([, v]) => v === null)
      .map(([k]) => k);
    const updated = await rows<{ id: string; erased_at: Date | null }>(
      this.db,
      `UPDATE history.customers
       SET name = CASE WHEN $3::boolean THEN $4::text ELSE name END,
           attributes = (attributes || $5::jsonb) - $6::text[],
           updated_at = now()
       WHERE workspace_id = $1 AND id = $2 AND erased_at IS NULL
       RETURNING id, erased_at`,
      [
        workspaceId,
        customerId,
        patch.name !== undefined,
        patch.name ?? null,
        JSON.stringify(Object.fromEntries(set)),
        remove,
      ],
    );
    if (updated.length === 0) {
      const existing = await this.get(workspaceId, customerId);
      if (existing.erasedAt !== null)
        throw new FailedPreconditionError(`customer ${customerId} has been erased`);
    }
    return this.get(workspaceId, customerId);
  }
}
