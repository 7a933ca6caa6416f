/**
 * Electron's safeStorage as the secrets identity's Keychain port (engine/secrets/identity.ts): each
 * secret is encrypted with safeStorage (its key lives in the OS keychain: macOS Keychain, Windows DPAPI,
 * libsecret/kwallet on Linux) and the encrypted bytes are kept in `<config dir>/identity/safe-storage.json`
 * (0600 in a 0700 folder).
 *
 * "Unavailable" throws, like a keychain that cannot be reached, so the identity store falls back to
 * its own file and says so: safeStorage not ready, or on Linux the `basic_text` backend (a fixed,
 * well-known key: no better than the plain file, and it must not be called "the keychain").
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { IDENTITY_DIR, SAFE_STORAGE_FILE, type Keychain } from '../engine/secrets/identity.js';

/** The part of Electron's `safeStorage` this uses (the async API; the sync one is deprecated). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

interface SafeFile {
  version: 1;
  entries: Record<string, string>;
}

export function safeStorageKeychain(o: { configDir: string; safeStorage: SafeStorageLike; platform?: NodeJS.Platform }): Keychain {
  const dir = join(o.configDir, IDENTITY_DIR);
  const file = join(dir, SAFE_STORAGE_FILE);
  const platform = o.platform ?? process.platform;
  const key = (service: string, account: string) => `${service}\u0000${account}`;

  async function usable(): Promise<void> {
    if (platform === 'linux' && o.safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
      throw new Error('Electron safeStorage has no keychain here (the basic_text backend)');
    }
    if (!(await o.safeStorage.isAsyncEncryptionAvailable())) throw new Error('Electron safeStorage is not available');
  }

  function read(): SafeFile {
    if (!existsSync(file)) return { version: 1, entries: {} };
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new Error(`${file} is damaged (not JSON)`);
    }
    const entries = (raw as { entries?: unknown })?.entries;
    if (!entries || typeof entries !== 'object') throw new Error(`${file} is damaged (no entries)`);
    return { version: 1, entries: entries as Record<string, string> };
  }

  function write(f: SafeFile): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const tmp = `${file}.${process.pid}.tmp`;
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(f, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  }

  return {
    async get(service, account) {
      await usable();
      const v = read().entries[key(service, account)];
      if (typeof v !== 'string') return null;
      const { result, shouldReEncrypt } = await o.safeStorage.decryptStringAsync(Buffer.from(v, 'base64'));
      if (shouldReEncrypt) {
        const f = read();
        f.entries[key(service, account)] = (await o.safeStorage.encryptStringAsync(result)).toString('base64');
        write(f);
      }
      return result;
    },
    async set(service, account, secret) {
      await usable();
      const enc = await o.safeStorage.encryptStringAsync(secret);
      const f = read();
      f.entries[key(service, account)] = enc.toString('base64');
      write(f);
    },
    async delete(service, account) {
      const f = read();
      const k = key(service, account);
      if (!(k in f.entries)) return false;
      delete f.entries[k];
      if (Object.keys(f.entries).length === 0) rmSync(file, { force: true });
      else write(f);
      return true;
    },
  };
}
