import { Injectable } from '@nestjs/common';
import {
  AlreadyExistsError,
  type FieldViolation,
  InvalidArgumentError,
  NotFoundError,
  type SmsChannelApi,
  type SmsNumberInput,
  type SmsNumberView,
  toE164,
} from '@switchboard/contracts';
import { isUniqueViolation } from '@switchboard/platform';
import { type SmsAccountSummary, SmsAccountService } from './sms-account.service.js';

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
// Twilio's auth tokens are 32 hex digits today; API-key secrets and test doubles differ, so only
// the shape that can never be a token (blank, whitespace, absurdly long) is refused.
const AUTH_TOKEN = /^\S{16,128}$/;

/**
 * SmsChannelApi over the channel's accounts (provided under SMS_CHANNEL_API, served over internal
 * RPC by channel-sms alone). The auth token goes in, sealed, and never comes out.
 */
@Injectable()
export class SmsChannelApiService implements SmsChannelApi {
  constructor(private readonly accounts: SmsAccountService) {}

  async listSmsNumbers(workspaceId: string): Promise<SmsNumberView[]> {
    return (await this.accounts.listNumbers(workspaceId)).map(toView);
  }

  /**
   * Two queries: who holds the number, then one INSERT or UPDATE … RETURNING (the token is sealed
   * to its account's id, which an update keeps, so the id is looked up first).
   */
  async upsertSmsNumber(workspaceId: string, input: SmsNumberInput): Promise<SmsNumberView> {
    const valid = validate(input);
    const owner = await this.accounts.numberOwner(valid.phoneNumber);
    if (owner !== null && owner.workspaceId !== workspaceId) throw new AlreadyExistsError(taken(null));
    if (owner === null && valid.authToken === undefined)
      throw new InvalidArgumentError('a new number needs its auth token', [
        { field: 'authToken', description: 'required for a new number' },
      ]);
    let saved: SmsAccountSummary | null;
    try {
      saved = await this.accounts.saveNumber(workspaceId, owner?.id ?? null, valid);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(taken(valid.messagingServiceSid));
      throw error;
    }
    if (saved !== null) return toView(saved);
    // Removed by another admin between the two queries.
    if (owner !== null) throw new NotFoundError('SMS number');
    // Taken (the number, or the messaging service) by another account.
    throw new AlreadyExistsError(taken(valid.messagingServiceSid));
  }

  async removeSmsNumber(workspaceId: string, numberId: string): Promise<void> {
    if (!(await this.accounts.remove(workspaceId, numberId))) throw new NotFoundError('SMS number');
  }
}

interface ValidNumberInput {
  phoneNumber: string;
  accountSid: string;
  authToken: string | undefined;
  messagingServiceSid: string | null;
  helpText: string | null;
}

function validate(input: SmsNumberInput): ValidNumberInput {
  const violations: FieldViolation[] = [];
  const phoneNumber = typeof input.phoneNumber === 'string' ? toE164(input.phoneNumber) : null;
  if (phoneNumber === null)
    violations.push({ field: 'phoneNumber', description: 'a phone number in E.164, e.g. +14155550100' });
  if (typeof input.accountSid !== 'string' || !ACCOUNT_SID.test(input.accountSid))
    violations.push({ field: 'accountSid', description: 'AC followed by 32 hexadecimal digits' });
  if (
    input.authToken !== undefined &&
    (typeof input.authToken !== 'string' || !AUTH_TOKEN.test(input.authToken))
  )
    violations.push({ field: 'authToken', description: '16 to 128 characters without spaces' });
  const messagingServiceSid = input.messagingServiceSid ?? null;
  if (messagingServiceSid !== null && !MESSAGING_SERVICE_SID.test(messagingServiceSid))
    violations.push({ field: 'messagingServiceSid', description: 'MG followed by 32 hexadecimal digits' });
  const helpText = input.helpText?.trim() || null;
  if (helpText !== null && helpText.length > 320)
    violations.push({ field: 'helpText', description: 'at most 320 characters (two SMS segments)' });
  if (violations.length > 0) throw new InvalidArgumentError('invalid SMS number', violations);
  return {
    phoneNumber: phoneNumber!,
    accountSid: input.accountSid,
    authToken: input.authToken,
    messagingServiceSid,
    helpText,
  };
}

function toView(account: SmsAccountSummary): SmsNumberView {
  return {
    id: account.id,
    workspaceId: account.workspaceId,
    phoneNumber: account.phoneNumber,
    accountSid: account.accountSid,
    messagingServiceSid: account.messagingServiceSid,
    helpText: account.helpText,
    authTokenSet: true,
    updatedAt: account.updatedAt,
  };
}

function taken(messagingServiceSid: string | null): string {
  return messagingServiceSid === null
    ? 'this number is already connected to a workspace'
    : 'this number or messaging service is already connected to a workspace';
}
