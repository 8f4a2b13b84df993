/** One Twilio sender of a workspace: a number or a messaging service, with its account's credentials. */
export interface SmsAccount {
  readonly id: string;
  readonly workspaceId: string;
  /** E.164; null for an account that sends only through its messaging service. */
  readonly phoneNumber: string | null;
  readonly messagingServiceSid: string | null;
  readonly accountSid: string;
  /** Decrypted; never logged (the logger redacts `authToken` keys). */
  readonly authToken: string;
  /** What HELP answers; null: a default naming the business's number. */
  readonly helpText: string | null;
}
