import { describe, expect, it } from 'vitest';
import {
  isPlaceholder,
  looksLikeCodeReference,
  looksLikeIdentifierWords,
  looksLikePath,
  looksLikeProse,
  shannonEntropy,
} from '../../../electron/engine/secrets/heuristics.js';
import { scanContent } from '../../../electron/engine/secrets/index.js';
import { ALNUM, B64, B64URL, Fake, HEX } from './fakes.js';

describe('heuristics', () => {
  it('recognises placeholders and references', () => {
    for (const v of [
      '',
      'changeme',
      'CHANGE_ME_PLEASE',
      '<your-token>',
      '${GITHUB_TOKEN}',
      '$(security find-generic-password -w)',
      '$GITHUB_TOKEN',
      '%(password)s',
      '%APPDATA%',
      '{{ vault_token }}',
      '{% raw %}',
      '#{token}',
      '********',
      'xxxxxxxxxxxx',
      'XXXXXXXXXXXX',
      'aaaaaaaaaaaaaaaaaaaa',
      'op://Private/GitHub/token',
      'ENC[AES256_GCM,data:abc]',
      'your_api_key_here',
      'ghp_...',
      'x-oauth-basic',
      'password',
      'none',
    ]) {
      expect(isPlaceholder(v), v).toBe(true);
    }
    const f = new Fake(3);
    for (let i = 0; i < 200; i++) expect(isPlaceholder(f.str(ALNUM, 24))).toBe(false);
  });

  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('0123456789abcdef')).toBe(4);
    expect(shannonEntropy('aabb')).toBe(1);
  });

  it('tells paths from base64 that starts with a slash', () => {
    for (const p of ['~/.ssh/id_ed25519', './secrets.txt', '../x/y', '/etc/app/secret.txt', '/run/secrets/db_password', '/Users/Me/Library/Preferences', 'C:\\keys\\a.pem']) {
      expect(looksLikePath(p), p).toBe(true);
    }
    const f = new Fake(5);
    let paths = 0;
    for (let i = 0; i < 2000; i++) if (looksLikePath('/' + f.str(B64, 39))) paths++;
    expect(paths).toBe(0);
  });

  it('tells code and words from random strings', () => {
    for (const v of ['process.env.API_KEY', 'os.environ', 'getToken()', 'nextLocation.startCol', 'asn1js.OctetString', 'a=b.c']) {
      expect(looksLikeCodeReference(v), v).toBe(true);
    }
    for (const v of ['isClosingBraceToken', 'Base64PrivateKeyEncoding', 'SOME_OTHER_TOKEN_NAME', 'NoSubstitutionTemplateLiteral']) {
      expect(looksLikeIdentifierWords(v), v).toBe(true);
    }
    expect(looksLikeProse('OpenSSH private key')).toBe(true);
    expect(looksLikeProse('Paste your token here:')).toBe(true);
    const f = new Fake(7);
    let misses = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      for (const alphabet of [ALNUM, B64URL, ALNUM + '.']) {
        const v = f.str(alphabet, f.int(16, 40));
        if (looksLikeCodeReference(v) || looksLikeIdentifierWords(v) || looksLikeProse(v)) misses++;
      }
    }
    // A random string is taken for code or words very rarely (measured ~1 in 10,000).
    expect(misses / (3 * n)).toBeLessThan(0.001);
  });
});

describe('generic rule recall on random secrets', () => {
  it('finds at least 99% of random 24-40 char secrets in common syntaxes', () => {
    const f = new Fake(31);
    const syntaxes = [
      (v: string) => `API_KEY=${v}`,
      (v: string) => `export SERVICE_TOKEN="${v}"`,
      (v: string) => `  client_secret: ${v}`,
      (v: string) => `  "password": "${v}",`,
      (v: string) => `secret_key = '${v}'`,
    ];
    let found = 0;
    let total = 0;
    for (const alphabet of [ALNUM, B64, B64URL, HEX]) {
      for (let i = 0; i < 200; i++) {
        const v = f.str(alphabet, f.int(24, 40));
        const line = syntaxes[i % syntaxes.length](v);
        total++;
        if (scanContent('cfg', line + '\n').some((x) => x.line === 1)) found++;
      }
    }
    expect(found / total).toBeGreaterThanOrEqual(0.99);
  });
});
