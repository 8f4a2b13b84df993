import { z } from 'zod';

export const roleSchema = z.enum(['agent', 'supervisor', 'admin']);
export type Role = z.infer<typeof roleSchema>;

const RANK: Record<Role, number> = { agent: 0, supervisor: 1, admin: 2 };

/** Roles nest: a supervisor may do what an agent may, an admin what a supervisor may. */
export function roleAtLeast(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}
