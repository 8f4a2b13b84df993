import path from 'node:path';
import type { ConfigOf } from '../config/config-definition.js';
import { type ConfigProblem, ConfigValidationError } from '../config/config-validation.error.js';
import type { AttachmentStore } from './attachment-store.js';
import type { AttachmentStorageConfig } from './attachment-storage.config.js';
import { FilesystemAttachmentStore } from './filesystem-attachment.store.js';
import { S3AttachmentStore } from './s3-attachment.store.js';

/**
 * The store `ATTACHMENT_STORAGE` names. Variables that only make sense together are checked here,
 * at boot, with the same error as any other bad variable (secrets are never echoed).
 */
export function createAttachmentStore(config: ConfigOf<typeof AttachmentStorageConfig>): AttachmentStore {
  if (config.ATTACHMENT_STORAGE === 'filesystem')
    return new FilesystemAttachmentStore(path.join(config.SWITCHBOARD_DATA_DIR, 'attachments'));
  const problems: ConfigProblem[] = [];
  if (config.ATTACHMENT_S3_BUCKET === undefined)
    problems.push({
      variable: 'ATTACHMENT_S3_BUCKET',
      message: 'required when ATTACHMENT_STORAGE=s3; not set',
    });
  const keyId = config.ATTACHMENT_S3_ACCESS_KEY_ID;
  const secret = config.ATTACHMENT_S3_SECRET_ACCESS_KEY;
  if ((keyId === undefined) !== (secret === undefined))
    problems.push({
      variable: keyId === undefined ? 'ATTACHMENT_S3_ACCESS_KEY_ID' : 'ATTACHMENT_S3_SECRET_ACCESS_KEY',
      message: 'set both the access key id and its secret, or neither; not set',
    });
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return new S3AttachmentStore({
    bucket: config.ATTACHMENT_S3_BUCKET!,
    region: config.ATTACHMENT_S3_REGION,
    endpoint: config.ATTACHMENT_S3_ENDPOINT,
    forcePathStyle: config.ATTACHMENT_S3_FORCE_PATH_STYLE,
    keyPrefix: config.ATTACHMENT_S3_KEY_PREFIX,
    credentials:
      keyId === undefined || secret === undefined
        ? undefined
        : { accessKeyId: keyId, secretAccessKey: secret },
  });
}
