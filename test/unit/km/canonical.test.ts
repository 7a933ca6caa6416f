import { describe, expect, it } from 'vitest';
import { canonicalJson, macroHashes } from '../../../electron/engine/km/canonical.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and is stable', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('dates as ISO strings, data as base64, bigints as strings, no undefined', () => {
    expect(canonicalJson({ d: new Date(Date.UTC(2024, 0, 1, 0, 0, 0, 5)), b: Buffer.from('hi'), u: new Uint8Array([104, 105]), n: 10n, x: undefined })).toBe(
      '{"b":"aGk=","d":"2024-01-01T00:00:00.005Z","n":"10","u":"aGk="}',
    );
  });

  it('macroHashes: contentHash leaves out IsActive and ModificationDate only', () => {
    const a = macroHashes({ Name: 'm', IsActive: true, ModificationDate: 1 });
    const b = macroHashes({ Name: 'm', IsActive: false, ModificationDate: 2 });
    const c = macroHashes({ Name: 'n', IsActive: true, ModificationDate: 1 });
    expect(a.contentHash).toBe(b.contentHash);
    expect(a.hash).not.toBe(b.hash);
    expect(c.contentHash).not.toBe(a.contentHash);
  });
});
