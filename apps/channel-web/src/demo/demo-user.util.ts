/** A signed-in demo user: what `/demo` vouches for with the default workspace's identity secret. */
export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
}

/**
 * Ids the demo signs live in their own namespace, so `/demo` can't sign in as a real site user of
 * the default workspace (whose secret the demo shares with that site).
 */
export const DEMO_USER_ID_PREFIX = 'switchboard-demo:';

/** Shown as the user's name and part of the id: letters, digits, spaces, `.`, `_`, `-`. */
const NAME = /^[\w.-](?:[\w .-]{0,58}[\w.-])?$/;
/** RFC 2606 names: nobody's mailbox. */
const RESERVED_EMAIL = /^[\w.+-]{1,64}@(?:example\.(?:com|org|net)|[\w-]+\.(?:test|example))$/i;
/** NANP 555-0100…0199, reserved for fiction: nobody's phone. */
const FICTIONAL_PHONE = /^\+1[2-9]\d{2}55501\d{2}$/;

/**
 * The demo user a `/demo?user=…&email=…&phone=…` query names, or null (anonymous) when the query
 * is absent or names anything a real person could own: the demo vouches only for reserved
 * addresses, so on any deployment it can't claim a real customer's email or phone (and with it,
 * through history's linking, their conversations).
 */
export function demoUserOf(query: {
  readonly user?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
}): DemoUser | null {
  if (query.user === undefined || !NAME.test(query.user)) return null;
  const email = query.email?.trim();
  // A literal "+" in a query string reads as a space: " 14155550199" meant "+14155550199".
  const phone = query.phone?.trim().replace(/^(?=\d)/, '+');
  if (email !== undefined && email !== '' && !RESERVED_EMAIL.test(email)) return null;
  if (phone !== undefined && phone !== '' && !FICTIONAL_PHONE.test(phone)) return null;
  return {
    id: `${DEMO_USER_ID_PREFIX}${query.user}`,
    name: query.user,
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
  };
}
