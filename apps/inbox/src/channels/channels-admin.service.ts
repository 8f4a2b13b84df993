import { Inject, Injectable } from '@nestjs/common';
import {
  SMS_CHANNEL_API,
  type SmsChannelApi,
  type SmsNumberInput,
  type SmsNumberView,
  WEB_CHANNEL_API,
  type WebChannelApi,
  type WidgetSettingsPatch,
  type WidgetSettingsView,
} from '@switchboard/contracts';
import type { SessionContext } from '../auth/session-context.js';

/**
 * The admin screen's channels, over the channels' ports, always for the session's workspace: the
 * web widget's settings and the workspace's Twilio numbers. The role is checked by the controller's
 * guard; the channel services validate the values and name the bad fields.
 */
@Injectable()
export class ChannelsAdminService {
  constructor(
    @Inject(WEB_CHANNEL_API) private readonly web: WebChannelApi,
    @Inject(SMS_CHANNEL_API) private readonly sms: SmsChannelApi,
  ) {}

  widgetSettings(session: SessionContext): Promise<WidgetSettingsView> {
    return this.web.getWidgetSettings(session.workspaceId);
  }

  updateWidgetSettings(session: SessionContext, patch: WidgetSettingsPatch): Promise<WidgetSettingsView> {
    return this.web.updateWidgetSettings(session.workspaceId, patch);
  }

  rotateIdentitySecret(session: SessionContext): Promise<WidgetSettingsView> {
    return this.web.rotateWidgetIdentitySecret(session.workspaceId);
  }

  smsNumbers(session: SessionContext): Promise<SmsNumberView[]> {
    return this.sms.listSmsNumbers(session.workspaceId);
  }

  upsertSmsNumber(session: SessionContext, input: SmsNumberInput): Promise<SmsNumberView> {
    return this.sms.upsertSmsNumber(session.workspaceId, input);
  }

  removeSmsNumber(session: SessionContext, numberId: string): Promise<void> {
    return this.sms.removeSmsNumber(session.workspaceId, numberId);
  }
}
