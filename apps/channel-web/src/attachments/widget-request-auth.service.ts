import { Injectable } from '@nestjs/common';
import { isValidUserHash } from '../contacts/identity-verification.util.js';
import { signedUserSchema } from '../sessions/widget-protocol.js';
import type { WebContact } from '../contacts/web-contact.js';
import { WebContactService } from '../contacts/web-contact.service.js';
import type { WidgetSite } from '../settings/widget-settings.service.js';

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Who an HTTP request from the widget is: the visitor its token names, or the user the site vouched for. */
@Injectable()
export class WidgetRequestAuthService {
  constructor(private readonly contacts: WebContactService) {}

  async contactOf(site: WidgetSite, headers: Headers): Promise<WebContact | null> {
    const userId = header(headers, 'x-user-id');
    const userHash = header(headers, 'x-user-hash');
    if (userId !== undefined && userHash !== undefined) {
      // The hash covers the email and phone the site signed with the id (ADR 0042).
      const user = signedUserSchema.safeParse({
        id: userId,
        hash: userHash,
        email: header(headers, 'x-user-email'),
        phone: header(headers, 'x-user-phone'),
      });
      if (!user.success || !isValidUserHash(site.identitySecret, user.data, user.data.hash)) return null;
      return this.contacts.resolveUser(site.workspaceId, user.data.id, {});
    }
    const token = header(headers, 'x-visitor-token');
    return token === undefined ? null : this.contacts.findVisitor(site.workspaceId, token);
  }
}
