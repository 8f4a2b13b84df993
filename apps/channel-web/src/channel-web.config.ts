import { coreVariables, defineConfig, encryptionVariables, storageVariables } from '@switchboard/platform';

/**
 * What the web channel reads, alone or in the standalone process. No variables of its own: widget
 * settings are per workspace, in the database; attachments go to the `AttachmentStore`
 * (`ATTACHMENT_STORAGE`, read by `AttachmentStoreModule`), which the app's root config must spread.
 */
export const ChannelWebConfig = defineConfig(
  { ...encryptionVariables, ...storageVariables, NODE_ENV: coreVariables.NODE_ENV },
  'ChannelWebConfig',
);

/** The `channels` schema is shared with the other channels; the web channel's pool has its own name (ADR 0040). */
export const WEB_DATA_SOURCE = 'channels_web';
