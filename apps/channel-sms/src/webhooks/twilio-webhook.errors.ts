/** The request is not provably from Twilio for the account it names: 403, nothing published. */
export class TwilioSignatureError extends Error {
  override readonly name = 'TwilioSignatureError';
}
