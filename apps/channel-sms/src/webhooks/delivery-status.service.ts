import { Injectable } from '@nestjs/common';
import { type ChannelWebhookRequest, DeliveryStatusChangedV1 } from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { SmsOutboundRecordService } from '../outbound/sms-outbound-record.service.js';
import { TwilioSmsAdapter } from '../twilio/twilio-sms.adapter.js';

/**
 * Twilio's status callbacks for messages we sent. The callback URL we gave Twilio names the
 * workspace, account and message; its signature (which covers the query) proves them.
 */
@Injectable()
export class DeliveryStatusService {
  constructor(
    private readonly adapter: TwilioSmsAdapter,
    private readonly records: SmsOutboundRecordService,
    private readonly bus: EventBus,
  ) {}

  async record(request: ChannelWebhookRequest): Promise<void> {
    const webhook = await this.adapter.verifyWebhook(request);
    for (const draft of this.adapter.toDeliveryStatuses(webhook)) {
      const { workspaceId, messageId, status } = draft;
      if (messageId === undefined) continue;
      // Callbacks arrive out of order and are retried: a status that isn't further along is dropped.
      // Checked before and recorded after the publish, so a failed publish is retried by Twilio.
      if (!(await this.records.wouldAdvance(workspaceId, messageId, status))) continue;
      const failed = status === 'failed' || status === 'undelivered';
      await this.bus.emit(
        DeliveryStatusChangedV1.create({
          workspaceId,
          payload: {
            channel: draft.channel,
            channelAccountId: draft.account.id,
            messageId,
            providerMessageId: draft.providerMessageId,
            status,
            ...(draft.errorCode === undefined ? {} : { errorCode: draft.errorCode }),
            ...(draft.errorMessage === undefined ? {} : { errorMessage: draft.errorMessage }),
            statusAt: draft.statusAt,
          },
        }),
      );
      await this.records.advance(
        workspaceId,
        messageId,
        status,
        draft.providerMessageId,
        failed ? (draft.errorCode ?? null) : null,
      );
    }
  }
}
