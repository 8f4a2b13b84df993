import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigOf } from '../config/config-definition.js';
import { PlatformConfigModule } from '../config/platform-config.module.js';
import { ATTACHMENT_STORE, type AttachmentStore } from './attachment-store.js';
import { AttachmentStorageConfig } from './attachment-storage.config.js';
import { createAttachmentStore } from './attachment-store.factory.js';
import { S3AttachmentStore } from './s3-attachment.store.js';

/**
 * Provides the process's `AttachmentStore` under `ATTACHMENT_STORE` (inject it with
 * `@Inject(ATTACHMENT_STORE)`). A static module: every module that imports it in one process
 * (the web channel, the inbox) shares one store. The app's root config must spread
 * `attachmentStorageVariables` and `storageVariables`.
 */
@Module({
  imports: [PlatformConfigModule.forFeature(AttachmentStorageConfig)],
  providers: [
    {
      provide: ATTACHMENT_STORE,
      inject: [AttachmentStorageConfig.token],
      useFactory: (config: ConfigOf<typeof AttachmentStorageConfig>): AttachmentStore =>
        createAttachmentStore(config),
    },
  ],
  exports: [ATTACHMENT_STORE],
})
export class AttachmentStoreModule implements OnApplicationShutdown {
  constructor(@Inject(ATTACHMENT_STORE) private readonly store: AttachmentStore) {}

  onApplicationShutdown(): void {
    if (this.store instanceof S3AttachmentStore) this.store.destroy();
  }
}
