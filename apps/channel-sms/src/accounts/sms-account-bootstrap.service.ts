import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { type ConfigOf, InjectConfig, createLogger } from '@switchboard/platform';
import { SmsChannelConfig } from '../sms-channel.config.js';
import { SmsAccountService } from './sms-account.service.js';

/**
 * A newcomer's first number in a minute: with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
 * TWILIO_PHONE_NUMBER set, the start makes that number a channel account of the default workspace
 * (or refreshes its credentials).
 */
@Injectable()
export class SmsAccountBootstrapService implements OnApplicationBootstrap {
  private readonly logger = createLogger('channel-sms.accounts');

  constructor(
    @InjectConfig(SmsChannelConfig) private readonly config: ConfigOf<typeof SmsChannelConfig>,
    private readonly accounts: SmsAccountService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const {
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_PHONE_NUMBER: phone,
    } = this.config;
    const given = [accountSid, authToken, phone].filter((v) => v !== undefined).length;
    if (given === 0) return;
    if (given < 3 || !accountSid || !authToken || !phone)
      throw new Error('Set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER, or none.');
    const account = await this.accounts.upsertByPhoneNumber({
      workspaceId: DEFAULT_WORKSPACE_ID,
      phoneNumber: phone,
      messagingServiceSid: null,
      accountSid,
      authToken,
    });
    this.logger.info(
      { channelAccountId: account.id, phoneNumber: phone, accountSid },
      'SMS channel account ready: point the number’s “A message comes in” webhook at /webhooks/twilio/sms',
    );
  }
}
