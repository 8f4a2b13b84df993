import {
  attachmentSchema,
  channelSchema,
  type FieldViolation,
  identityKindSchema,
  InvalidArgumentError,
  messageSenderSchema,
  messageTemplateSchema,
  messageTextSchema,
  secureFormSchema,
  type SendMessageInput,
} from '@switchboard/contracts';
import { z } from 'zod';

const sendMessageInputSchema = z
  .object({
    idempotencyKey: z.string().min(1).max(200),
    customerId: z.uuid().optional(),
    conversationId: z.uuid().optional(),
    identity: z.object({ kind: identityKindSchema, value: z.string().trim().min(1).max(500) }).optional(),
    channel: channelSchema.optional(),
    channelAccountId: z.string().min(1).max(200).optional(),
    internalNote: z.boolean().optional(),
    text: messageTextSchema.nullable(),
    attachments: z.array(attachmentSchema).max(20).optional(),
    template: messageTemplateSchema.optional(),
    sender: messageSenderSchema,
    form: secureFormSchema.optional(),
  })
  .refine((i) => i.customerId !== undefined || i.conversationId !== undefined || i.identity !== undefined, {
    message: 'customerId, conversationId or identity is required',
    path: ['customerId'],
  })
  .refine((i) => i.form === undefined || i.internalNote !== true, {
    message: 'a note is never sent, so it cannot ask for a form',
    path: ['form'],
  })
  .refine((i) => i.form === undefined || i.channel === undefined || i.channel === 'web', {
    message: 'secure forms are shown by the web widget only',
    path: ['form'],
  })
  .refine(
    (i) =>
      (i.text !== null && i.text.trim().length > 0) ||
      (i.attachments?.length ?? 0) > 0 ||
      i.template !== undefined,
    { message: 'text, an attachment or a template is required', path: ['text'] },
  )
  .refine(
    (i) => i.template === undefined || ((i.attachments?.length ?? 0) === 0 && i.internalNote !== true),
    {
      message: 'a template goes alone: no attachments, not as a note',
      path: ['template'],
    },
  )
  .refine((i) => i.template === undefined || i.channel === undefined || i.channel === 'whatsapp', {
    message: 'templates are WhatsApp’s',
    path: ['template'],
  });

/** Validates a send at the edge of the service, naming every offending field. */
export function parseSendMessageInput(input: unknown): SendMessageInput {
  const result = sendMessageInputSchema.safeParse(input);
  if (result.success) return result.data;
  const violations: FieldViolation[] = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(input)',
    description: issue.message,
  }));
  throw new InvalidArgumentError('invalid message', violations);
}
