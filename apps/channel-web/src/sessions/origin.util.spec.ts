import { isOriginAllowed } from './origin.util.js';

describe('isOriginAllowed', () => {
  const allowed = ['https://shop.example.com'];
  it('allows listed origins and the server’s own host', () => {
    expect(isOriginAllowed('https://shop.example.com', 'chat.example.net', allowed)).toBe(true);
    expect(isOriginAllowed('http://localhost:3000', 'localhost:3000', [])).toBe(true);
  });
  it('refuses other origins, look-alikes, and sockets without an origin', () => {
    expect(isOriginAllowed('https://evil.example.com', 'chat.example.net', allowed)).toBe(false);
    expect(isOriginAllowed('https://shop.example.com.evil.io', 'chat.example.net', allowed)).toBe(false);
    expect(isOriginAllowed('http://localhost:3001', 'localhost:3000', [])).toBe(false);
    expect(isOriginAllowed(undefined, 'localhost:3000', allowed)).toBe(false);
    expect(isOriginAllowed('null', 'localhost:3000', allowed)).toBe(false);
  });
});
