import { channels, conversationStatuses, identityKinds, presences } from './proto-enums.util.js';

describe('proto enums', () => {
  it('map both ways, and UNSPECIFIED or unknown values to undefined', () => {
    expect(channels.toProto('sms')).toBe('CHANNEL_SMS');
    expect(channels.fromProto('CHANNEL_WHATSAPP')).toBe('whatsapp');
    expect(channels.fromProto('CHANNEL_UNSPECIFIED')).toBeUndefined();
    expect(channels.fromProto(undefined)).toBeUndefined();
    expect(identityKinds.fromProto('IDENTITY_KIND_WEB_VISITOR')).toBe('web_visitor');
    expect(conversationStatuses.toProto('resolved')).toBe('CONVERSATION_STATUS_RESOLVED');
    expect(presences.fromProto('PRESENCE_AWAY')).toBe('away');
    expect(presences.fromProto(7)).toBeUndefined();
  });
});
