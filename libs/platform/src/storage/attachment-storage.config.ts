import { z } from 'zod';
import { storageVariables } from '../config/common-variables.config.js';
import { defineConfig } from '../config/config-definition.js';
import { configVariable } from '../config/config-variable.js';

const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);

/** Where attachments' bytes go (ADR 0045). Spread into the config of every app that stores files. */
export const attachmentStorageVariables = {
  ATTACHMENT_STORAGE: configVariable({
    description:
      'Where attachments are kept: `filesystem` (under SWITCHBOARD_DATA_DIR/attachments) or `s3` ' +
      '(an S3-compatible bucket, ATTACHMENT_S3_*). Several replicas need `s3` or a shared directory.',
    schema: z.enum(['filesystem', 's3']),
    default: 'filesystem',
    expected: 'filesystem or s3',
  }),
  ATTACHMENT_S3_BUCKET: configVariable({
    description: 'Bucket of the attachments when ATTACHMENT_STORAGE=s3.',
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
      .optional(),
    expected: 'an S3 bucket name (3–63 lower-case letters, digits, "." or "-")',
    example: 'switchboard-attachments',
  }),
  ATTACHMENT_S3_REGION: configVariable({
    description: 'Region of the bucket (S3-compatible servers usually accept any, e.g. us-east-1).',
    schema: z.string().regex(/^[a-z0-9-]{1,40}$/),
    default: 'us-east-1',
    expected: 'a region name such as eu-west-1',
  }),
  ATTACHMENT_S3_ENDPOINT: configVariable({
    description: 'URL of an S3-compatible server (MinIO, Ceph, R2…). Unset: AWS S3.',
    schema: z.string().refine(isHttpUrl).optional(),
    expected: 'an http(s) URL',
    example: 'https://minio.internal:9000',
  }),
  ATTACHMENT_S3_FORCE_PATH_STYLE: configVariable({
    description:
      'Address objects as ENDPOINT/bucket/key rather than bucket.ENDPOINT/key (most self-hosted servers).',
    schema: z.enum(['true', 'false']).transform((value) => value === 'true'),
    default: 'false',
    expected: 'true or false',
  }),
  ATTACHMENT_S3_KEY_PREFIX: configVariable({
    description: 'Prepended to every object key, so several deployments can share one bucket.',
    schema: z.string().regex(/^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)*$/),
    default: '',
    expected: 'empty, or folder names each ending in "/" (e.g. switchboard/)',
  }),
  ATTACHMENT_S3_ACCESS_KEY_ID: configVariable({
    description:
      'Access key of the bucket. Unset (with the secret): the SDK’s chain (environment, instance role).',
    schema: z.string().min(1).max(256).optional(),
    expected: 'an access key id',
    sensitive: true,
  }),
  ATTACHMENT_S3_SECRET_ACCESS_KEY: configVariable({
    description: 'Secret of ATTACHMENT_S3_ACCESS_KEY_ID.',
    schema: z.string().min(1).max(256).optional(),
    expected: 'a secret access key',
    sensitive: true,
  }),
};

/** What `AttachmentStoreModule` reads: the variables above and the data directory. */
export const AttachmentStorageConfig = defineConfig(
  { ...attachmentStorageVariables, SWITCHBOARD_DATA_DIR: storageVariables.SWITCHBOARD_DATA_DIR },
  'AttachmentStorageConfig',
);
