import { Injectable } from '@nestjs/common';
import { DeliveryStatusChangedV1 } from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { SmsAccountService } from '../accounts/sms-account.service.js';
import { describeTwilioError, fromTwilioStatus } from '../outbound/sms-delivery-status.util.js';
import { SmsOutboundRecordService } from '../outbound/sms-outbound-record.service.js';
import { type TwilioWebhookRequest, hasValidSignature, param } from './twilio-webhook-request.js';
import { TwilioSignatureError } from './twilio-webhook.errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Twilio's status callbacks for messages we sent. The callback URL we gave Twilio names the
 * workspace, account and message; its signature (which covers the query) proves them.
 */
@Injectable()
export class DeliveryStatusService {
  constructor(
    private readonly accounts: SmsAccountService,
    private readonly records: SmsOutboundRecordService,
    private readonly bus: EventBus,
  ) {}

  async record(request: TwilioWebhookRequest): Promise<void> {
    const query = new URL(request.url).searchParams;
    const workspaceId = query.get('workspace') ?? '';
    const accountId = query.get('account') ?? '';
    const messageId = query.get('message') ?? '';
    if (!UUID.test(workspaceId) || !UUID.test(messageId))
      throw new TwilioSignatureError('not our callback URL');
    const account = await this.accounts.findById(workspaceId, accountId);
    if (account === null || !hasValidSignature(request, account.authToken))
      throw new TwilioSignatureError('bad signature');
    if (param(request.params, 'AccountSid') !== account.accountSid)
      throw new TwilioSignatureError('signed for another Twilio account');

    const status = fromTwilioStatus(param(request.params, 'MessageStatus') ?? '');
    const providerMessageId = param(request.params, 'MessageSid') ?? param(request.params, 'SmsSid');
    if (status === null || providerMessageId === null) return;
    // Callbacks arrive out of order and are retried: a status that isn't further along is dropped.
    // Checked before and recorded after the publish, so a failed publish is retried by Twilio.
    if (!(await this.records.wouldAdvance(workspaceId, messageId, status))) return;
    const errorCode = param(request.params, 'ErrorCode');
    const failed = status === 'failed' || status === 'undelivered';
    await this.bus.emit(
      DeliveryStatusChangedV1.create({
        workspaceId,
        payload: {
          channel: 'sms',
          channelAccountId: account.id,
          messageId,
          providerMessageId,
          status,
          ...(errorCode ? { errorCode } : {}),
          ...(failed
            ? {
                errorMessage: describeTwilioError(
                  errorCode ?? 'unknown',
                  'Twilio could not deliver the message.',
                ),
              }
            : {}),
          statusAt: new Date().toISOString(),
        },
      }),
    );
    await this.records.advance(
      workspaceId,
      messageId,
      status,
      providerMessageId,
      failed ? (errorCode ?? null) : null,
    );
  }
}
