/**
 * Electron's safeStorage as the identity's Keychain port (electron/shell/safe-storage.ts), with an
 * injected fake safeStorage (a reversible transform plus a marker, so "encrypted" is checkable): the
 * file holds only encrypted bytes, 0600 in a 0700 folder; an unavailable safeStorage, or Linux's
 * basic_text backend, throws like a keychain that cannot be reached, so the IdentityStore falls back
 * to its own file and says so.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { safeStorageKeychain, type SafeStorageLike } from '../../../electron/shell/safe-storage';
import { IDENTITY_DIR, IdentityStore, SAFE_STORAGE_FILE } from '../../../electron/engine/secrets/identity';
import { tmp } from '../../helpers/machine';

const MARK = Buffer.from('FAKE-SAFE:');

function fakeSafeStorage(o: { available?: boolean; backend?: string; rotate?: boolean } = {}): SafeStorageLike & { encrypted: number } {
  const f = {
    encrypted: 0,
    isAsyncEncryptionAvailable: async () => o.available ?? true,
    encryptStringAsync: async (plain: string) => {
      f.encrypted++;
      return Buffer.concat([MARK, Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]);
    },
    decryptStringAsync: async (enc: Buffer) => {
      if (!enc.subarray(0, MARK.length).equals(MARK)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return { result: Buffer.from(enc.subarray(MARK.length).map((b) => b ^ 0x5a)).toString('utf8'), shouldReEncrypt: o.rotate ?? false };
    },
    getSelectedStorageBackend: () => o.backend ?? 'gnome_libsecret',
  };
  return f;
}

function configDir(): string {
  const d = join(tmp('cs-safe-'), 'config');
  mkdirSync(d, { recursive: true });
  return d;
}

describe('safeStorageKeychain', () => {
  it('keeps entries encrypted in a 0600 file in a 0700 folder, and gives them back', async () => {
    const dir = configDir();
    const kc = safeStorageKeychain({ configDir: dir, safeStorage: fakeSafeStorage(), platform: 'darwin' });
    expect(await kc.get('ConfSync', 'a')).toBeNull();
    await kc.set('ConfSync', 'a', 'secret one');
    await kc.set('ConfSync', 'b', 'secret two');
    expect(await kc.get('ConfSync', 'a')).toBe('secret one');
    expect(await kc.get('ConfSync', 'b')).toBe('secret two');
    const file = join(dir, IDENTITY_DIR, SAFE_STORAGE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, IDENTITY_DIR)).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('secret one');
    expect(text).not.toContain('secret two');
    expect(await kc.delete('ConfSync', 'a')).toBe(true);
    expect(await kc.delete('ConfSync', 'a')).toBe(false);
    expect(await kc.get('ConfSync', 'a')).toBeNull();
    expect(await kc.delete('ConfSync', 'b')).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('re-encrypts an entry when safeStorage asks for it (a rotated key)', async () => {
    const dir = configDir();
    const fake = fakeSafeStorage({ rotate: true });
    const kc = safeStorageKeychain({ configDir: dir, safeStorage: fake, platform: 'win32' });
    await kc.set('s', 'a', 'x');
    expect(fake.encrypted).toBe(1);
    expect(await kc.get('s', 'a')).toBe('x');
    expect(fake.encrypted).toBe(2);
  });

  it('unavailable safeStorage, and the basic_text backend on Linux, throw like an unreachable keychain', async () => {
    const off = safeStorageKeychain({ configDir: configDir(), safeStorage: fakeSafeStorage({ available: false }), platform: 'darwin' });
    await expect(off.set('s', 'a', 'x')).rejects.toThrow('Electron safeStorage is not available');
    await expect(off.get('s', 'a')).rejects.toThrow('Electron safeStorage is not available');
    const basic = safeStorageKeychain({ configDir: configDir(), safeStorage: fakeSafeStorage({ backend: 'basic_text' }), platform: 'linux' });
    await expect(basic.set('s', 'a', 'x')).rejects.toThrow(/basic_text/);
    // Elsewhere the backend question does not apply.
    const mac = safeStorageKeychain({ configDir: configDir(), safeStorage: fakeSafeStorage({ backend: 'basic_text' }), platform: 'darwin' });
    await mac.set('s', 'a', 'x');
    expect(await mac.get('s', 'a')).toBe('x');
  });

  it('as the IdentityStore keychain: where() is "keychain", no plain identity file; unavailable → the plain 0600 file', async () => {
    const dir = configDir();
    const store = new IdentityStore({ configDir: dir, keychain: safeStorageKeychain({ configDir: dir, safeStorage: fakeSafeStorage(), platform: 'darwin' }) });
    const made = await store.create();
    expect(made.where).toBe('keychain');
    const id = (await store.get())!;
    expect(readFileSync(join(dir, IDENTITY_DIR, SAFE_STORAGE_FILE), 'utf8')).not.toContain(id);
    expect(existsSync(store.file)).toBe(false);
    const reopened = new IdentityStore({ configDir: dir, keychain: safeStorageKeychain({ configDir: dir, safeStorage: fakeSafeStorage(), platform: 'darwin' }) });
    expect(await reopened.get()).toBe(id);

    const dir2 = configDir();
    const fallback = new IdentityStore({ configDir: dir2, keychain: safeStorageKeychain({ configDir: dir2, safeStorage: fakeSafeStorage({ backend: 'basic_text' }), platform: 'linux' }) });
    expect((await fallback.create()).where).toBe('file');
    expect(statSync(fallback.file).mode & 0o777).toBe(0o600);
    expect((await fallback.status()).keychainProblem).toMatch(/basic_text/);
  });
});
