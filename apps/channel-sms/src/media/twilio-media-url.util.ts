/**
 * Whether `url` is the media of this very message on Twilio's API: same origin as the configured
 * API base, and the path Twilio gives MMS media, `/2010-04-01/Accounts/{AccountSid}/Messages/
 * {MessageSid}/Media/{MediaSid}`, for the account and message being handled. Anything else in
 * `MediaUrlN` is never fetched (Rocket.Chat's CVE-2024-39713 was an SSRF through this field).
 */
export function isTwilioMediaUrl(
  url: string,
  apiBaseUrl: string,
  accountSid: string,
  messageSid: string,
): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.origin !== new URL(apiBaseUrl).origin) return false;
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '')
    return false;
  const path = `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media/`;
  return parsed.pathname.startsWith(path) && /^ME[0-9a-fA-F]{32}$/.test(parsed.pathname.slice(path.length));
}

/**
 * Where Twilio may redirect a media download (its CDN, fronted by S3). Followed without our
 * credentials, and only over https.
 */
export function isTwilioMediaRedirect(location: URL): boolean {
  if (location.protocol !== 'https:' || location.username !== '' || location.password !== '') return false;
  const host = location.hostname.toLowerCase();
  if (host === 'media.twiliocdn.com' || host.endsWith('.twiliocdn.com')) return true;
  return host === 's3-external-1.amazonaws.com' && location.pathname.startsWith('/media.twiliocdn.com/');
}
