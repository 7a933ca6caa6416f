/**
 * Fake secrets for the guard's tests, built at test time from a seeded PRNG so that no file in the
 * repository holds anything that looks like a real credential (GitHub push protection and our own
 * guard would flag it). Prefixes and PEM armor are assembled from pieces for the same reason.
 */

import { rng } from '../../helpers/rng.js';

/** Seeded PRNG (mulberry32). */
export const prng = rng;

export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
export const UPPER_ALNUM = UPPER + DIGITS;
export const HEX = '0123456789abcdef';
export const B64 = ALNUM + '+/';
export const B64URL = ALNUM + '-_';

export class Fake {
  private readonly rnd: () => number;
  constructor(seed: number) {
    this.rnd = prng(seed);
  }
  str(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rnd() * alphabet.length)];
    return s;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  /** Base64 body wrapped at 64 columns, starting with `lead` (a realistic ASN.1/openssh prefix). */
  b64Lines(lead: string, total: number): string[] {
    const body = lead + this.str(B64, total - lead.length);
    const out: string[] = [];
    for (let i = 0; i < body.length; i += 64) out.push(body.slice(i, i + 64));
    return out;
  }
  uuid(): string {
    return [8, 4, 4, 4, 12].map((n) => this.str(HEX, n)).join('-');
  }
}

const DASHES = '-'.repeat(5);
/** PEM armor line, e.g. armor('BEGIN', 'RSA ') → the RSA key header. Assembled so no literal header sits in source. */
export function armor(which: 'BEGIN' | 'END', kind: string, what = 'PRIVATE KEY'): string {
  return `${DASHES}${which} ${kind}${what}${DASHES}`;
}

export function pemBlock(kind: string, bodyLines: string[], what = 'PRIVATE KEY', headers: string[] = []): string[] {
  return [armor('BEGIN', kind, what), ...headers, ...bodyLines, armor('END', kind, what)];
}

/** Prefixes, split so the literal never sits in source. */
export const P = {
  akia: 'AK' + 'IA',
  asia: 'AS' + 'IA',
  ghp: 'gh' + 'p_',
  gho: 'gh' + 'o_',
  ghu: 'gh' + 'u_',
  ghs: 'gh' + 's_',
  ghr: 'gh' + 'r_',
  ghPat: 'github' + '_pat_',
  xoxb: 'xo' + 'xb-',
  xoxp: 'xo' + 'xp-',
  slackHook: 'https://hooks.' + 'slack.com/services/',
  aiza: 'AI' + 'za',
  skLive: 'sk' + '_live_',
  rkLive: 'rk' + '_live_',
  skTest: 'sk' + '_test_',
  npm: 'np' + 'm_',
  /** ASN.1 / openssh-key-v1 leads of real key bodies. */
  rsaLead: 'MIIE' + 'pAIBAAKCAQEA',
  pkcs8Lead: 'MIIE' + 'vQIBADANBgkqhkiG9w0BAQEFAASC',
  encPkcs8Lead: 'MIIF' + 'HDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI',
  ecLead: 'MHcC' + 'AQEEI',
  dsaLead: 'MIIB' + 'uwIBAAKBgQ',
  opensshLead: 'b3Blbn' + 'NzaC1rZXktdjEAAAAA',
  pgpLead: 'lQdG' + 'BF',
  sshRsaPub: 'AAAAB3' + 'NzaC1yc2EAAAADAQABAAABgQ',
  sshEdPub: 'AAAAC3' + 'NzaC1lZDI1NTE5AAAAI',
} as const;
