// What the standalone composition and the inbox need of the web channel; nothing else imports an app.
export { ChannelWebModule } from './channel-web.module.js';
export { WidgetSettingsService } from './settings/widget-settings.service.js';
export type {
  WidgetSettingsPatch,
  WidgetSettingsView,
  WidgetAppearance,
} from './settings/widget-settings.js';
export { WebAttachmentService, type AttachmentContent } from './attachments/web-attachment.service.js';
export { userHash } from './contacts/identity-verification.util.js';
