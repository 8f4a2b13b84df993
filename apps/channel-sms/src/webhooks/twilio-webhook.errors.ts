import { WebhookVerificationError } from '@switchboard/contracts';

/** The request is not provably from Twilio for the account it names: 403, nothing published. */
export class TwilioSignatureError extends WebhookVerificationError {
  override readonly name = 'TwilioSignatureError';
}
