import {
  InvalidArgumentError,
  channelSchema,
  type AgentInput,
  type QueueInput,
} from '@switchboard/contracts';
import { z } from 'zod';
import { ExpressionSyntaxError, parseEligibilityExpression } from '../core/eligibility-expression.js';

const id = z.string().trim().min(1).max(200);
const capacity = z.int().min(0).max(1000);

export const agentInputSchema = z
  .object({
    agentId: id,
    displayName: z.string().trim().min(1).max(200),
    skills: z
      .array(
        z.object({
          skill: z
            .string()
            .regex(/^[a-z][a-z0-9_-]{0,49}$/, 'lower-case letters, digits, "_" or "-", at most 50'),
          proficiency: z.int().min(1).max(5),
        }),
      )
      .max(100)
      .refine(
        (skills) => new Set(skills.map((s) => s.skill)).size === skills.length,
        'a skill is listed twice',
      ),
    channelCapacity: z.partialRecord(channelSchema, capacity).optional(),
    defaultChannelCapacity: capacity.optional(),
    maxConcurrent: z.int().min(0).max(1000).nullable().optional(),
    queueIds: z.array(id).max(200).optional(),
  })
  .strict();

const entrySchema = z
  .object({
    channels: z.array(channelSchema).max(10).optional(),
    channelAccountIds: z.array(id).max(100).optional(),
    languages: z
      .array(z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language tag such as es or pt-BR'))
      .max(50)
      .optional(),
    customerAttributes: z.record(z.string().min(1).max(100), z.string().max(500)).optional(),
    namedOnly: z.boolean().optional(),
  })
  .strict();

export const queueInputSchema = z
  .object({
    id: id.optional(),
    name: z.string().trim().min(1).max(200),
    priority: z.int().min(-1000).max(1000).optional(),
    entry: entrySchema.optional(),
    serviceLevel: z
      .object({ targetPercent: z.number().min(0).max(100), withinSeconds: z.int().min(1).max(86_400) })
      .strict()
      .optional(),
    steps: z
      .array(
        z
          .object({
            expression: z.string().max(1000),
            expiresAfterSeconds: z.int().min(1).max(86_400).nullable(),
          })
          .strict(),
      )
      .max(20)
      .optional(),
    mode: z.enum(['auto', 'offer']).optional(),
    offerTimeoutSeconds: z.int().min(1).max(3600).optional(),
    maxMissedOffers: z.int().min(1).max(100).optional(),
    preferredAgent: z
      .object({ windowHours: z.number().min(0).max(720), waitSeconds: z.int().min(0).max(3600) })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();

/** Parses at the edge; every problem named by its field, as InvalidArgumentError. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidArgumentError(
    `invalid ${what}`,
    result.error.issues.map((issue) => ({ field: issue.path.join('.'), description: issue.message })),
  );
}

export function parseAgentInput(input: AgentInput): z.infer<typeof agentInputSchema> {
  return parseInput(agentInputSchema, input, 'agent');
}

export function parseQueueInput(input: QueueInput): z.infer<typeof queueInputSchema> {
  const parsed = parseInput(queueInputSchema, input, 'queue');
  const steps = parsed.steps ?? [];
  const violations = steps.flatMap((step, index) => {
    try {
      parseEligibilityExpression(step.expression);
      return [];
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      return [{ field: `steps.${index}.expression`, description: error.message }];
    }
  });
  steps.forEach((step, index) => {
    if (step.expiresAfterSeconds === null && index < steps.length - 1) {
      violations.push({
        field: `steps.${index}.expiresAfterSeconds`,
        description: 'only the last step may never expire',
      });
    }
  });
  if (violations.length > 0) {
    throw new InvalidArgumentError(
      `invalid routing step ${violations[0]!.field.split('.')[1]}: ${violations[0]!.description}`,
      violations,
    );
  }
  return parsed;
}

export const workspaceIdSchema = z.uuid();
export const conversationIdSchema = z.uuid();
export const agentIdSchema = z.string().trim().min(1).max(200);
export const presenceReasonSchema = z.enum(['agent', 'connection', 'offer_timeouts', 'admin']);
export const transferTargetSchema = z.union([
  z.object({ agentId: agentIdSchema }).strict(),
  z.object({ queueId: z.string().trim().min(1).max(200) }).strict(),
]);

/** Every call names a workspace: a malformed id is InvalidArgument, before any query. */
export function checkWorkspace(workspaceId: string): void {
  parseInput(workspaceIdSchema, workspaceId, 'workspace id');
}
