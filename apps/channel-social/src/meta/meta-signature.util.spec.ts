import { metaJson, signMetaBody } from '@switchboard/testing';
import { hasValidMetaSignature } from './meta-signature.util.js';

describe('hasValidMetaSignature', () => {
  const secret = 'app-secret-0123456789';
  const body = metaJson({
    object: 'page',
    entry: [{ id: '1', messaging: [{ message: { text: 'Ça va ? 🙂' } }] }],
  });

  it('accepts the HMAC-SHA256 of the bytes as Meta sent them (escaped unicode)', () => {
    expect(body).toContain('\\u00c7a va ? \\ud83d\\ude42');
    expect(hasValidMetaSignature(Buffer.from(body), signMetaBody(body, secret), secret)).toBe(true);
    expect(
      hasValidMetaSignature(
        Buffer.from(body),
        signMetaBody(body, secret).toUpperCase().replace('SHA256', 'sha256'),
        secret,
      ),
    ).toBe(true);
  });

  it('refuses the same JSON re-serialised as UTF-8, another secret, a truncated or missing header', () => {
    const utf8 = JSON.stringify(JSON.parse(body));
    expect(utf8).not.toBe(body);
    expect(hasValidMetaSignature(Buffer.from(utf8), signMetaBody(body, secret), secret)).toBe(false);
    expect(hasValidMetaSignature(Buffer.from(body), signMetaBody(body, 'another-secret'), secret)).toBe(
      false,
    );
    expect(hasValidMetaSignature(Buffer.from(body), signMetaBody(body, secret).slice(0, 40), secret)).toBe(
      false,
    );
    expect(
      hasValidMetaSignature(
        Buffer.from(body),
        signMetaBody(body, secret).replace('sha256=', 'sha1='),
        secret,
      ),
    ).toBe(false);
    expect(hasValidMetaSignature(Buffer.from(body), undefined, secret)).toBe(false);
  });
});
