import { configVariable, coreVariables, defineConfig } from '@switchboard/platform';
import { z } from 'zod';

const integer = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(min).max(max));

export const inboxVariables = {
  INBOX_SIGNUP_ENABLED: configVariable({
    description:
      'Whether anyone may create a workspace on the sign-up page (/inbox/#/signup). An operator serving one ' +
      'business sets false; workspaces can still be created with `npm run workspace -- create`.',
    schema: z.enum(['true', 'false']).transform((value) => value === 'true'),
    default: 'true',
    expected: 'true or false',
  }),
  ADMIN_EMAIL: configVariable({
    description:
      'Email of the default workspace’s first admin, created at the first start when the workspace has no ' +
      'user yet. Unset: admin@localhost.',
    schema: z.email().max(320).optional(),
    expected: 'an email address',
    example: 'admin@example.com',
  }),
  ADMIN_PASSWORD: configVariable({
    description:
      'Password of that first admin (at least 12 characters). Unset: a password is generated and printed ' +
      'once on the console. Used only when the admin is created; change it in the inbox afterwards.',
    schema: z.string().min(12).max(200).optional(),
    expected: 'at least 12 characters',
    sensitive: true,
    example: 'change-me-at-first-sign-in',
  }),
  INBOX_ALLOWED_ORIGINS: configVariable({
    description:
      'Origins allowed to call the inbox API and open its WebSocket (comma-separated). Unset: only the ' +
      'origin of the request’s own Host (the inbox served by this app).',
    schema: z
      .string()
      .transform((value) => value.split(',').map((entry) => entry.trim().replace(/\/+$/, '')))
      .refine((entries) => entries.every((entry) => URL.canParse(entry)))
      .optional(),
    expected: 'http(s)://host[:port][,…]',
    example: 'https://inbox.example.com',
  }),
  INBOX_SESSION_HOURS: configVariable({
    description: 'Hours a sign-in lasts at most; an idle session ends after a day without requests.',
    schema: integer(1, 24 * 90),
    default: '168',
    expected: 'an integer from 1 to 2160',
  }),
  INBOX_PRESENCE_GRACE_SECONDS: configVariable({
    description:
      'Seconds an agent whose last inbox tab disconnected stays online before routing is told they are offline ' +
      '(a reload or a network blip should not return their conversations to the queue).',
    schema: integer(0, 3600),
    default: '30',
    expected: 'an integer from 0 to 3600',
  }),
  INBOX_UNSENT_ATTACHMENT_HOURS: configVariable({
    description:
      'Hours an agent’s upload that no reply has named is kept; then a periodic sweep deletes it from ' +
      'the attachment store and the inbox’s index.',
    schema: integer(1, 24 * 90),
    default: '24',
    expected: 'an integer from 1 to 2160',
  }),
};

/** What the inbox reads, whether alone or in the standalone process. */
export const InboxConfig = defineConfig(
  { ...inboxVariables, NODE_ENV: coreVariables.NODE_ENV },
  'InboxConfig',
);
