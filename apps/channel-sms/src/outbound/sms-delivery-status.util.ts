import { DELIVERY_STATUS_RANK, type DeliveryStatus } from '@switchboard/contracts';

/** How far a delivery has got: the one ranking, shared with history (`@switchboard/contracts`). */
export const STATUS_RANK = DELIVERY_STATUS_RANK;

/** Twilio's MessageStatus in our vocabulary; null for statuses of inbound messages. */
export function fromTwilioStatus(status: string): DeliveryStatus | null {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return null;
  }
}

/** What agents read beside a failed message, for the error codes they meet most. */
const TWILIO_ERRORS: Readonly<Record<string, string>> = {
  '21211': 'The number is not a valid phone number.',
  '21408': 'Sending to this region is not enabled on the Twilio account.',
  '21610': 'The customer has opted out (replied STOP); they must reply START before you can text them.',
  '21612': 'Twilio cannot route to this number from this sender.',
  '21614': 'The number cannot receive SMS (not a mobile number).',
  '30003': 'The phone is unreachable (off or out of coverage).',
  '30004': 'The message was blocked by the recipient or their carrier.',
  '30005': 'The number is unknown or no longer in service.',
  '30006': 'The number is a landline or cannot receive SMS.',
  '30007': 'The carrier filtered the message as spam.',
  '30008': 'The carrier reported an unknown error.',
};

export function describeTwilioError(code: string, fallback?: string): string {
  return TWILIO_ERRORS[code] ?? fallback ?? `Twilio error ${code}.`;
}

/** Where Twilio reports on a message we sent: signed like any webhook, so the query is trustworthy once verified. */
export function statusCallbackUrl(
  publicBaseUrl: string,
  workspaceId: string,
  channelAccountId: string,
  messageId: string,
): string {
  const query = new URLSearchParams({
    workspace: workspaceId,
    account: channelAccountId,
    message: messageId,
  });
  return `${publicBaseUrl}/webhooks/twilio/status?${query.toString()}`;
}
