import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'sb_inbox_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Reads one cookie from the header without a cookie-parser dependency. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * httpOnly (scripts can't read it, so an XSS can't carry it off), SameSite=Lax (cross-site
 * requests other than top-level navigations don't carry it), Secure behind HTTPS.
 */
export function setSessionCookie(
  request: Request,
  response: Response,
  token: string,
  expiresAt: Date,
  forceSecure: boolean,
): void {
  response.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: forceSecure || request.secure,
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(request: Request, response: Response, forceSecure: boolean): void {
  response.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    secure: forceSecure || request.secure,
    path: '/',
  });
}

/** The browser's sign-in trust cookie (ADR 0056): a browser that signed in to an account before. */
export const DEVICE_COOKIE = 'sb_inbox_device';

/**
 * Sent only to the session routes (sign-in and the password change read it), never readable by
 * scripts, not on cross-site requests.
 */
export function setDeviceCookie(
  request: Request,
  response: Response,
  token: string,
  maxAgeDays: number,
  forceSecure: boolean,
): void {
  response.cookie(DEVICE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: forceSecure || request.secure,
    path: '/api/inbox/session',
    maxAge: maxAgeDays * 24 * 60 * 60 * 1000,
  });
}
