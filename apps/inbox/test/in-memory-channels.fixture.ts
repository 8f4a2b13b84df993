import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  type SmsChannelApi,
  type SmsNumberInput,
  type SmsNumberView,
  type WebChannelApi,
  type WidgetSettingsPatch,
  type WidgetSettingsView,
} from '@switchboard/contracts';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Stand-ins for channel-web's and channel-sms's admin ports, so the inbox's own tests boot without
 * those services; each keeps state per workspace as the real ones do. The real adapters are tested
 * through the standalone process and over internal RPC.
 */
export class InMemoryWebChannel implements WebChannelApi {
  private readonly settings = new Map<string, WidgetSettingsView>();

  getWidgetSettings(workspaceId: string): Promise<WidgetSettingsView> {
    let view = this.settings.get(workspaceId);
    if (!view) {
      view = {
        workspaceId,
        widgetKey: `wk_${randomBytes(12).toString('base64url')}`,
        allowedOrigins: [],
        identitySecret: randomBytes(32).toString('base64url'),
        appearance: {
          theme: { color: '#2563eb', position: 'right', language: 'en', title: 'Chat', greeting: 'Hi' },
          prechatFields: [],
          businessHours: null,
          offlineMessage: 'Away',
          offlineWhenNoAgentOnline: false,
        },
        updatedAt: new Date().toISOString(),
      };
      this.settings.set(workspaceId, view);
    }
    return Promise.resolve(structuredClone(view));
  }

  async updateWidgetSettings(workspaceId: string, patch: WidgetSettingsPatch): Promise<WidgetSettingsView> {
    const bad = (patch.allowedOrigins ?? []).findIndex((origin) => !/^https?:\/\/[^/]+$/.test(origin));
    if (bad >= 0)
      throw new InvalidArgumentError('invalid widget settings', [
        { field: `allowedOrigins.${bad}`, description: 'an origin' },
      ]);
    const current = await this.getWidgetSettings(workspaceId);
    const next: WidgetSettingsView = {
      ...current,
      allowedOrigins: patch.allowedOrigins ?? current.allowedOrigins,
      appearance: { ...current.appearance, ...patch.appearance },
      updatedAt: new Date().toISOString(),
    };
    this.settings.set(workspaceId, next);
    return structuredClone(next);
  }

  async rotateWidgetIdentitySecret(workspaceId: string): Promise<WidgetSettingsView> {
    const current = await this.getWidgetSettings(workspaceId);
    this.settings.set(workspaceId, { ...current, identitySecret: randomBytes(32).toString('base64url') });
    return this.getWidgetSettings(workspaceId);
  }
}

export class InMemorySmsChannel implements SmsChannelApi {
  /** What was stored, tokens included, so a test can check they never come back out. */
  readonly stored = new Map<string, SmsNumberView & { authToken: string }>();

  listSmsNumbers(workspaceId: string): Promise<SmsNumberView[]> {
    return Promise.resolve(
      [...this.stored.values()].filter((n) => n.workspaceId === workspaceId).map((n) => this.view(n)),
    );
  }

  upsertSmsNumber(workspaceId: string, input: SmsNumberInput): Promise<SmsNumberView> {
    if (!/^\+\d{8,15}$/.test(input.phoneNumber))
      return Promise.reject(
        new InvalidArgumentError('invalid SMS number', [{ field: 'phoneNumber', description: 'E.164' }]),
      );
    const existing = [...this.stored.values()].find((n) => n.phoneNumber === input.phoneNumber);
    if (existing && existing.workspaceId !== workspaceId)
      return Promise.reject(new AlreadyExistsError('this number is already connected to a workspace'));
    const authToken = input.authToken ?? existing?.authToken;
    if (authToken === undefined)
      return Promise.reject(
        new InvalidArgumentError('a new number needs its auth token', [
          { field: 'authToken', description: 'required for a new number' },
        ]),
      );
    const number = {
      id: existing?.id ?? randomUUID(),
      workspaceId,
      phoneNumber: input.phoneNumber,
      accountSid: input.accountSid,
      messagingServiceSid: input.messagingServiceSid ?? null,
      helpText: input.helpText ?? null,
      authTokenSet: true as const,
      updatedAt: new Date().toISOString(),
      authToken,
    };
    this.stored.set(number.id, number);
    return Promise.resolve(this.view(number));
  }

  removeSmsNumber(workspaceId: string, numberId: string): Promise<void> {
    if (this.stored.get(numberId)?.workspaceId !== workspaceId)
      return Promise.reject(new NotFoundError('SMS number'));
    this.stored.delete(numberId);
    return Promise.resolve();
  }

  private view({ authToken: _token, ...view }: SmsNumberView & { authToken: string }): SmsNumberView {
    return view;
  }
}
