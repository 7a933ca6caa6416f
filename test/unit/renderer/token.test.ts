import { describe, expect, it } from 'vitest';
import { TOKEN_KEY, apiSocketUrl, takeToken } from '../../../renderer/api/token';
import { parseTab } from '../../../renderer/lib/tabs';

function env(href: string, stored: string | null = null) {
  const data = new Map<string, string>(stored ? [[TOKEN_KEY, stored]] : []);
  const replaced: string[] = [];
  return {
    env: {
      href,
      storage: { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) },
      replaceUrl: (u: string) => void replaced.push(u),
    },
    data,
    replaced,
  };
}

describe('access token', () => {
  it('reads it from the URL once, stores it, and removes it from the address bar', () => {
    const e = env('http://127.0.0.1:4000/preferences.html?token=s3cr%2Bt&x=1#conflicts');
    expect(takeToken(e.env)).toBe('s3cr+t');
    expect(e.data.get(TOKEN_KEY)).toBe('s3cr+t');
    expect(e.replaced).toEqual(['/preferences.html?x=1#conflicts']);
  });

  it('falls back to the stored token and leaves the URL alone', () => {
    const e = env('http://127.0.0.1:4000/', 'old');
    expect(takeToken(e.env)).toBe('old');
    expect(e.replaced).toEqual([]);
  });

  it('returns null without one', () => {
    expect(takeToken(env('http://127.0.0.1:4000/').env)).toBeNull();
  });

  it('builds the socket URL on the page host', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:4000' }, 'a b')).toBe('ws://127.0.0.1:4000/api?token=a%20b');
    expect(apiSocketUrl({ protocol: 'https:', host: 'localhost:9' }, 't')).toBe('wss://localhost:9/api?token=t');
    expect(apiSocketUrl({ protocol: 'http:', host: 'localhost:9' }, null)).toBe('ws://localhost:9/api');
  });
});

describe('parseTab', () => {
  it('accepts ids, hashes and aliases', () => {
    expect(parseTab('#conflicts')).toBe('conflicts');
    expect(parseTab('Keyboard-Maestro')).toBe('km');
    expect(parseTab('repo')).toBe('repository');
    expect(parseTab('#nope')).toBeNull();
    expect(parseTab('')).toBeNull();
  });
});
