import {
  channelSchema,
  conversationStatusSchema,
  type FieldViolation,
  type FindCustomersQuery,
  identityKindSchema,
  InvalidArgumentError,
  type ListConversationsQuery,
  type LabelInput,
  type LabelPatch,
  type ListMessagesQuery,
  type ReplayQuery,
  type SearchQuery,
  type SearchMessagesQuery,
  type TimelineQuery,
} from '@switchboard/contracts';
import { z } from 'zod';

// Shapes only: page sizes above a method's maximum are clamped, and ids that are not UUIDs read
// as not found (or as an empty page) by the services, as the port documents.
const pageRequest = {
  pageSize: z.number().int().positive().optional(),
  pageToken: z.string().max(1000).optional(),
};

const findCustomersQuerySchema = z.object({
  ...pageRequest,
  identity: z.object({ kind: identityKindSchema, value: z.string().max(500) }).optional(),
  attributes: z.record(z.string().min(1).max(100), z.string().max(500)).optional(),
  text: z.string().max(200).optional(),
});

const timelineQuerySchema = z.object({ ...pageRequest, channel: channelSchema.optional() });

const searchMessagesQuerySchema = z.object({
  ...pageRequest,
  query: z.string().refine((q) => q.trim() !== '' && q.length <= 500, 'must be 1 to 500 characters'),
  channel: channelSchema.optional(),
  customerId: z.string().max(200).optional(),
});

const instant = z.iso.datetime({ offset: true });

const searchQuerySchema = z.object({
  pageSize: pageRequest.pageSize,
  pageToken: pageRequest.pageToken,
  text: z.string().refine((q) => q.trim() !== '' && q.length <= 200, 'must be 1 to 200 characters'),
  channel: channelSchema.optional(),
  status: z.array(conversationStatusSchema).max(3).optional(),
  assigneeId: z.string().min(1).max(200).optional(),
  unassigned: z.boolean().optional(),
  labelId: z.uuid().optional(),
  from: instant.optional(),
  to: instant.optional(),
});

const colour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb')
  .transform((c) => c.toLowerCase());
const labelName = z.string().trim().min(1).max(40);
const labelInputSchema = z.object({ name: labelName, colour });
const labelPatchSchema = z
  .object({ name: labelName.optional(), colour: colour.optional() })
  .refine((p) => p.name !== undefined || p.colour !== undefined, 'give a name or a colour');
const labelIdsSchema = z.array(z.uuid()).max(20);

const listConversationsQuerySchema = z.object({
  ...pageRequest,
  status: z.array(conversationStatusSchema).max(3).optional(),
  assigneeId: z.string().max(200).optional(),
  unassigned: z.boolean().optional(),
  queueId: z.string().max(200).optional(),
  channel: channelSchema.optional(),
  customerId: z.string().max(200).optional(),
  labelId: z.string().max(200).optional(),
  order: z.enum(['waiting', 'recent']).optional(),
});

const listMessagesQuerySchema = z.object({
  afterSequence: z.number().int().nonnegative().optional(),
  pageSize: z.number().int().positive().optional(),
});

/** Parses a query at the port, naming every offending field: callers reach it over RPC too. */
function parser<T>(schema: z.ZodType<T>, what: string): (query: unknown) => T {
  return (query) => {
    const result = schema.safeParse(query);
    if (result.success) return result.data;
    const violations: FieldViolation[] = result.error.issues.map((issue) => ({
      field: issue.path.join('.') || '(query)',
      description: issue.message,
    }));
    throw new InvalidArgumentError(`invalid ${what}`, violations);
  };
}

export const parseFindCustomersQuery = parser<FindCustomersQuery>(findCustomersQuerySchema, 'customer query');
export const parseTimelineQuery = parser<TimelineQuery>(timelineQuerySchema, 'timeline query');
export const parseSearchMessagesQuery = parser<SearchMessagesQuery>(searchMessagesQuerySchema, 'search');
export const parseListConversationsQuery = parser<ListConversationsQuery>(
  listConversationsQuerySchema,
  'conversation query',
);
export const parseSearchQuery = parser<SearchQuery>(searchQuerySchema, 'search');
export const parseLabelInput = parser<LabelInput>(labelInputSchema, 'label');
export const parseLabelPatch = parser<LabelPatch>(labelPatchSchema, 'label');
export const parseLabelIds = parser<string[]>(labelIdsSchema, 'labels');
export const parseListMessagesQuery = parser<ListMessagesQuery>(listMessagesQuerySchema, 'message query');
export const parseOpenConversationQuery = parser<{ timelinePageSize?: number }>(
  z.object({ timelinePageSize: z.number().int().positive().optional() }),
  'opening query',
);
export const parseReplayQuery = parser<ReplayQuery>(
  z.object({
    pageSize: z.number().int().positive().optional(),
    pageToken: z.string().max(500).optional(),
  }),
  'replay query',
);
