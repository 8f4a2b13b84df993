import type { Role } from '../auth/role.js';

export interface User {
  readonly id: string;
  readonly workspaceId: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly disabled: boolean;
  /** The installation's operator: sees every workspace on the operator screen (ADR 0059). */
  readonly operator: boolean;
  readonly createdAt: string;
}

export interface UserRow {
  id: string;
  workspace_id: string;
  email: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled_at: Date | null;
  created_at: Date;
  /** Rows of one person in several workspaces share it; null: the row is its own account. */
  account_id: string | null;
  operator: boolean;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled_at !== null,
    operator: row.operator,
    createdAt: row.created_at.toISOString(),
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
