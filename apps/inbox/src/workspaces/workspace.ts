import type { Weekday } from '@switchboard/contracts';
import { z } from 'zod';
import type { Role } from '../auth/role.js';

export type BusinessHours = Partial<Record<Weekday, { from: string; to: string }[]>>;

/** A workspace as its admins see and set it. */
export interface WorkspaceView {
  id: string;
  name: string;
  /** IANA, e.g. `Europe/Paris`: business hours are local times there. */
  timeZone: string;
  /** Null: always open. */
  businessHours: BusinessHours | null;
  createdAt: string;
  updatedAt: string;
}

/** One of the workspaces the signed-in person belongs to, for the switcher. */
export interface MembershipView {
  workspaceId: string;
  name: string;
  role: Role;
  current: boolean;
}

/** A row of the operator's list (`npm run workspace -- list`, the operator screen). */
export interface WorkspaceSummary {
  id: string;
  name: string;
  timeZone: string;
  /** Enabled users. */
  members: number;
  admins: string[];
  createdAt: string;
}

export interface WorkspaceRow {
  id: string;
  name: string;
  time_zone: string;
  business_hours: BusinessHours | null;
  created_at: Date;
  updated_at: Date;
}

export function toWorkspaceView(row: WorkspaceRow): WorkspaceView {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    businessHours: row.business_hours,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const workspaceNameSchema = z.string().trim().min(1).max(100);

export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone, e.g. Europe/Paris' },
  );

const interval = z
  .strictObject({ from: z.string().regex(HH_MM, 'HH:MM'), to: z.string().regex(HH_MM, 'HH:MM') })
  .refine((i) => i.from < i.to, { message: 'from must be before to' });

export const businessHoursSchema = z.partialRecord(
  z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  z.array(interval).max(6),
);
