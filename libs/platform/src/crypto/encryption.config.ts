import { z } from 'zod';
import { defineConfig } from '../config/config-definition.js';
import { configVariable } from '../config/config-variable.js';
import { parseEncryptionKey } from './secret-box.util.js';

export const encryptionVariables = {
  SWITCHBOARD_ENCRYPTION_KEY: configVariable({
    description:
      'Key that encrypts provider credentials at rest (AES-256-GCM): 32 random bytes, base64 ' +
      '(`openssl rand -base64 32`). Required in production; unset elsewhere, a key is generated ' +
      'once and kept in SWITCHBOARD_DATA_DIR/encryption.key. Changing it makes stored credentials unreadable.',
    schema: z
      .string()
      .refine((value) => parseEncryptionKey(value) !== null)
      .optional(),
    expected: '32 bytes, base64-encoded',
    sensitive: true,
    example: 'output of: openssl rand -base64 32',
  }),
};

export const EncryptionConfig = defineConfig(encryptionVariables, 'EncryptionConfig');
