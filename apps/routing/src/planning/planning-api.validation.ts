import type { StaffingPlanInput } from '@switchboard/contracts';
import { z } from 'zod';
import { agentInputSchema, parseInput } from '../api/routing-api.validation.js';
import { parseEligibilityExpression } from '../core/eligibility-expression.js';

const count = z.number().finite().min(0).max(1_000_000);

/** An IANA zone both the runtime and PostgreSQL know (`Europe/Paris`, `UTC`). */
export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Paris');

export const staffingPlanInputSchema = z
  .object({
    arrivalsByHour: z.array(count).min(1).max(168),
    handleSeconds: z.number().finite().min(1).max(86_400),
    targetSeconds: z.number().finite().min(0).max(86_400),
    serviceLevelPercent: z.number().finite().min(1).max(99),
    patienceSeconds: z.number().finite().min(1).max(86_400).nullable(),
    maxChats: z.int().min(1).max(10),
    concurrency: z
      .array(z.number().finite().min(1).max(100))
      .min(1)
      .max(10)
      .refine((f) => f[0] === 1, 'starts at 1 (one chat held: its own handle time)')
      .refine((f) => f.every((v, i) => i === 0 || v >= f[i - 1]!), 'never decreases')
      .optional(),
    scheduled: z.array(z.int().min(0).max(100_000).nullable()).max(168).optional(),
    timeZone: timeZoneSchema.optional(),
    queueId: z.string().trim().min(1).max(200).optional(),
    steps: z
      .array(
        z
          .object({
            expression: z
              .string()
              .max(1000)
              .refine((text) => parses(text), 'not an eligibility expression (e.g. `billing >= 4`)'),
            expiresAfterSeconds: z.int().min(1).max(86_400).nullable(),
          })
          .strict(),
      )
      .max(20)
      .optional(),
    team: z
      .array(
        z
          .object({ skills: agentInputSchema.shape.skills, share: z.number().finite().gt(0).max(100_000) })
          .strict(),
      )
      .min(1)
      .max(1000)
      .optional(),
  })
  .strict()
  .refine((input) => !input.scheduled || input.scheduled.length === input.arrivalsByHour.length, {
    message: 'one entry per interval of arrivalsByHour',
    path: ['scheduled'],
  })
  // The load a plan may simulate: arrivals an hour × chat length bound the agents simulated.
  .refine((input) => Math.max(...input.arrivalsByHour) * input.handleSeconds <= 3600 * 2000, {
    message: 'more than 2,000 Erlangs in an hour: beyond what the planner sizes',
    path: ['arrivalsByHour'],
  });

function parses(expression: string): boolean {
  try {
    parseEligibilityExpression(expression);
    return true;
  } catch {
    return false;
  }
}

export function parseStaffingPlanInput(input: StaffingPlanInput): z.infer<typeof staffingPlanInputSchema> {
  return parseInput(staffingPlanInputSchema, input, 'staffing plan');
}

export const historyWeeksSchema = z.int().min(1).max(12);
