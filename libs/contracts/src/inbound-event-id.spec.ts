import { z } from 'zod';
import { inboundEventId } from './inbound-event-id.js';

describe('inboundEventId', () => {
  it('is a valid version 5 UUID, the same for the same message and different for any other', () => {
    const id = inboundEventId('acc-1', 'wamid.A');
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(id[14]).toBe('5');
    expect(inboundEventId('acc-1', 'wamid.A')).toBe(id);
    expect(inboundEventId('acc-2', 'wamid.A')).not.toBe(id);
    expect(inboundEventId('acc-1', 'wamid.B')).not.toBe(id);
    // The separator keeps a shifted boundary from colliding.
    expect(inboundEventId('acc-1w', 'amid.A')).not.toBe(id);
  });
});
