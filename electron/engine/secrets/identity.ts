/**
 * The secrets identity: ONE age identity (`AGE-SECRET-KEY-1…`) per person, shared by all their
 * machines, that opens the files the repo keeps as `PATH.age` (sync/sealed.ts, secrets/age.ts).
 *
 * Where it is kept, in order:
 *   1. the OS keychain, through the `Keychain` port (the headless host: @napi-rs/keyring, see
 *      `osKeychain()`; the desktop app can pass Electron's safeStorage, electron/shell/safe-storage.ts);
 *   2. when the keychain cannot be used (it throws, or does not give back what was stored), a file in
 *      the config dir: `<config dir>/identity/secrets-identity.txt`, 0600 in a 0700 folder, in the
 *      format `age-keygen` writes (so `age -d -i FILE` opens a `.age` file by hand).
 * `where()` says which, so the UI and the CLI can tell the person "kept in a file in the config folder,
 * not the keychain".
 *
 * The identity is never logged and never part of an error message; errors name what was wrong with
 * a pasted value without repeating it. It is read once and kept in memory for this store.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { Mutex } from '../util/mutex.js';
import { plural } from '../../../shared/meanings.js';

/** A store of one secret per (service, account): the OS keychain, or something that stands in for it. */
export interface Keychain {
  /** The secret, or null when there is none. Throws when the keychain cannot be used. */
  get(service: string, account: string): Promise<string | null>;
  /** Throws when the keychain cannot be used. */
  set(service: string, account: string, secret: string): Promise<void>;
  /** True when something was deleted. Throws when the keychain cannot be used. */
  delete(service: string, account: string): Promise<boolean>;
}

export type IdentityWhere = 'keychain' | 'file';

export const KEYCHAIN_SERVICE = 'ConfSync';
export const IDENTITY_DIR = 'identity';
export const IDENTITY_FILE = 'secrets-identity.txt';
/** Where the desktop app's safeStorage keychain (electron/shell/safe-storage.ts) keeps its encrypted entries. */
export const SAFE_STORAGE_FILE = 'safe-storage.json';

/** How to get the identity onto a machine, for error messages. */
export const IMPORT_HINT = 'copy it from a machine that has it (`confsync secret identity`, or Health › Show identity) and import it here (`confsync secret import FILE`, or Health › Paste identity)';

/** A problem with the identity, in words for people. Never carries the identity itself. */
export class IdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityError';
  }
}

const IDENTITY_PREFIX = 'AGE-SECRET-KEY-';
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const BINARY_HEADER = 'age-encryption.org/';

/** `age1qqqq…wxyz`: enough of a public key to recognise it. */
export function shortRecipient(recipient: string): string {
  return recipient.length > 20 ? `${recipient.slice(0, 10)}…${recipient.slice(-6)}` : recipient;
}

/**
 * Reads an identity from what a person pasted or a file they gave: the bare `AGE-SECRET-KEY-1…` line,
 * or an age identity file with `#` comments. Validates it by deriving its public key (and, when the
 * file names its own public key in a `# public key:` comment, checks they agree). Throws IdentityError
 * naming what is wrong, never echoing the value.
 */
export async function parseIdentity(text: string): Promise<{ identity: string; recipient: string }> {
  const src = text.replace(/^\uFEFF/, '');
  if (src.includes(BINARY_HEADER) || src.includes(ARMOR_BEGIN)) {
    throw new IdentityError('this is an age-encrypted file, not an identity: give the identity itself, the line that starts with AGE-SECRET-KEY-1');
  }
  const lines = src.split(/\r?\n|\r/).map((l) => l.trim());
  const comments = lines.filter((l) => l.startsWith('#'));
  const values = lines.filter((l) => l && !l.startsWith('#'));
  if (values.length === 0) {
    throw new IdentityError(`no identity found: expected one line that starts with AGE-SECRET-KEY-1; ${IMPORT_HINT}`);
  }
  const isIdentity = (l: string) => l.toUpperCase().startsWith(IDENTITY_PREFIX);
  const ids = values.filter(isIdentity);
  if (ids.length === 0) {
    const first = values[0];
    if (/^age1[0-9a-z]+$/i.test(first)) {
      throw new IdentityError(`that is a public key (${shortRecipient(first)}), not the identity: give the private key, the line that starts with AGE-SECRET-KEY-1`);
    }
    if (/^(ssh-|ecdsa-|sk-ssh-|sk-ecdsa-)|^-----BEGIN .*PRIVATE KEY-----/.test(first)) {
      throw new IdentityError('SSH keys are not used for secrets: give the age identity, the line that starts with AGE-SECRET-KEY-1');
    }
    throw new IdentityError(`not an age identity: expected one line that starts with AGE-SECRET-KEY-1; ${IMPORT_HINT}`);
  }
  if (ids.length > 1) {
    throw new IdentityError(`found ${plural(ids.length, 'identity', 'identities')}; ConfSync uses one for all your machines: give only the one your other machines use`);
  }
  if (values.length > 1) {
    throw new IdentityError(`found ${plural(values.length - 1, 'other line')} beside the identity: give only the line that starts with AGE-SECRET-KEY-1 (comment lines starting with # are fine)`);
  }
  // Bech32 is case-insensitive but never mixed: a key copied in lower case is the same key.
  let identity = ids[0];
  if (identity === identity.toLowerCase()) identity = identity.toUpperCase();
  let recipient: string;
  try {
    if (/\s/.test(identity)) throw new Error('space inside');
    recipient = await identityToRecipient(identity);
  } catch {
    throw new IdentityError(`the identity is damaged: it does not decode (a character is missing, extra or mistyped); ${IMPORT_HINT}`);
  }
  for (const c of comments) {
    const m = /^#\s*public key:\s*(\S+)/i.exec(c);
    if (m && m[1] !== recipient) {
      throw new IdentityError(`the identity does not match the public key in its own comment (${shortRecipient(m[1])}): the file is damaged; ${IMPORT_HINT}`);
    }
  }
  return { identity, recipient };
}

/** The file format `age-keygen` writes, so `age -d -i FILE` works with it too. */
export function identityFileText(identity: string, recipient: string, now = new Date()): string {
  return [
    '# ConfSync secrets identity: the private key that opens your encrypted files. Keep it secret.',
    `# created: ${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    `# public key: ${recipient}`,
    identity,
    '',
  ].join('\n');
}

export interface IdentityStoreOptions {
  configDir: string;
  /** The OS keychain; null: keep the identity in the config dir's file only. */
  keychain: Keychain | null;
  /** The keychain entry. Default: service "ConfSync", account "secrets identity (<config dir>)". */
  service?: string;
  account?: string;
}

export interface IdentityStatus {
  exists: boolean;
  where: IdentityWhere | null;
  recipient: string | null;
  /** The file that holds it when `where` is 'file'. */
  file: string | null;
  /** Why the keychain is not used, when it failed (in its own words). */
  keychainProblem: string | null;
}

interface Held {
  identity: string;
  recipient: string;
  where: IdentityWhere;
}

export class IdentityStore {
  readonly dir: string;
  readonly file: string;
  private readonly keychain: Keychain | null;
  private readonly service: string;
  private readonly account: string;
  private readonly lock = new Mutex();
  private held: Held | null = null;
  private problem: string | null = null;

  constructor(o: IdentityStoreOptions) {
    this.dir = join(o.configDir, IDENTITY_DIR);
    this.file = join(this.dir, IDENTITY_FILE);
    this.keychain = o.keychain;
    this.service = o.service ?? KEYCHAIN_SERVICE;
    this.account = o.account ?? `secrets identity (${resolve(o.configDir)})`;
    if (!o.keychain) this.problem = 'turned off for this host';
  }

  /** The identity (`AGE-SECRET-KEY-1…`), or null when this machine has none. */
  async get(): Promise<string | null> {
    return (await this.load())?.identity ?? null;
  }

  /** Its public key (`age1…`), or null. */
  async recipient(): Promise<string | null> {
    return (await this.load())?.recipient ?? null;
  }

  async where(): Promise<IdentityWhere | null> {
    return (await this.load())?.where ?? null;
  }

  /** Why the keychain is not used (its own words), after it failed; null while it works. */
  keychainProblem(): string | null {
    return this.problem;
  }

  async status(): Promise<IdentityStatus> {
    const h = await this.load();
    return {
      exists: h !== null,
      where: h?.where ?? null,
      recipient: h?.recipient ?? null,
      file: h?.where === 'file' ? this.file : null,
      keychainProblem: h?.where === 'keychain' ? null : this.problem,
    };
  }

  /** Makes a new identity. Refuses when this machine already has one (one identity for all machines). */
  create(): Promise<{ recipient: string; where: IdentityWhere }> {
    return this.lock.run(async () => {
      const had = await this.read();
      if (had) {
        throw new IdentityError(
          `this machine already has a secrets identity (public key ${shortRecipient(had.recipient)}, ${whereWords(had.where)}); ConfSync uses one identity for all your machines, so no new one was made. Show it with \`confsync secret identity\``,
        );
      }
      const identity = await generateX25519Identity();
      const recipient = await identityToRecipient(identity);
      const where = await this.save(identity, recipient);
      this.held = { identity, recipient, where };
      return { recipient, where };
    });
  }

  /**
   * Keeps an identity given by the person (see parseIdentity for what is accepted). The same identity
   * again changes nothing. A different one is refused unless `replace`: files encrypted for the old one
   * could not be opened here any more. Nothing is stored when anything is wrong.
   */
  import(text: string, o: { replace?: boolean } = {}): Promise<{ recipient: string; where: IdentityWhere; changed: boolean }> {
    return this.lock.run(async () => {
      const { identity, recipient } = await parseIdentity(text);
      const had = await this.read();
      if (had && had.identity === identity) return { recipient, where: had.where, changed: false };
      if (had && !o.replace) {
        throw new IdentityError(
          `this machine already has a different secrets identity (public key ${shortRecipient(had.recipient)}); nothing was changed. Files encrypted for it could not be opened here after a replacement: replace it only if it was made by mistake (\`confsync secret import FILE --replace\`)`,
        );
      }
      const where = await this.save(identity, recipient);
      this.held = { identity, recipient, where };
      return { recipient, where, changed: true };
    });
  }

  /** Forgets the identity on this machine (keychain entry and file). True when there was one. */
  remove(): Promise<boolean> {
    return this.lock.run(async () => {
      const had = await this.read();
      if (this.keychain) {
        try {
          await this.keychain.delete(this.service, this.account);
        } catch (e) {
          this.problem = messageOf(e);
        }
      }
      rmSync(this.file, { force: true });
      this.held = null;
      return had !== null;
    });
  }

  /** Forgets what was read, so the next call reads the keychain and the file again. */
  forget(): void {
    this.held = null;
  }

  private load(): Promise<Held | null> {
    if (this.held) return Promise.resolve(this.held);
    return this.lock.run(() => this.read());
  }

  /** The keychain first, then the file. A value that does not parse there is an error, never "none". */
  private async read(): Promise<Held | null> {
    if (this.held) return this.held;
    if (this.keychain) {
      let value: string | null = null;
      try {
        value = await this.keychain.get(this.service, this.account);
      } catch (e) {
        this.problem = messageOf(e);
      }
      if (value) {
        const parsed = await parseIdentity(value).catch((e: unknown) => {
          throw new IdentityError(`the secrets identity in the keychain (${this.service}, ${this.account}) cannot be used: ${messageOf(e)}`);
        });
        this.held = { ...parsed, where: 'keychain' };
        return this.held;
      }
    }
    if (!existsSync(this.file)) return null;
    const st = lstatSync(this.file);
    if (!st.isFile()) throw new IdentityError(`${this.file} is not a regular file: move it away, then import your identity again`);
    if ((st.mode & 0o077) !== 0) chmodSync(this.file, 0o600); // never left readable by others
    const parsed = await parseIdentity(readFileSync(this.file, 'utf8')).catch((e: unknown) => {
      throw new IdentityError(`the secrets identity file ${this.file} cannot be used: ${messageOf(e)}`);
    });
    this.held = { ...parsed, where: 'file' };
    return this.held;
  }

  /** In the keychain when it works (and gives back what was stored), else in the 0600 file. */
  private async save(identity: string, recipient: string): Promise<IdentityWhere> {
    if (this.keychain) {
      try {
        await this.keychain.set(this.service, this.account, identity);
        const back = await this.keychain.get(this.service, this.account);
        if (back === identity) {
          this.problem = null;
          rmSync(this.file, { force: true }); // one place only: a stale file never outlives a replacement
          return 'keychain';
        }
        this.problem = 'the keychain did not give back what was stored';
        await this.keychain.delete(this.service, this.account).catch(() => false);
      } catch (e) {
        this.problem = messageOf(e);
      }
    }
    this.writeFile(identityFileText(identity, recipient));
    if (this.keychain) {
      // A previous identity left in the keychain would be read first: it must not be there.
      let stale: string | null = null;
      try {
        await this.keychain.delete(this.service, this.account);
        stale = await this.keychain.get(this.service, this.account);
      } catch {
        // Unusable keychain: nothing is read from it either.
      }
      if (stale && stale !== identity) {
        throw new IdentityError(
          `the keychain still holds the previous secrets identity and could not be changed (${this.problem ?? 'it refused'}): remove the "${this.service}" entry "${this.account}" from the keychain, then import again`,
        );
      }
    }
    return 'file';
  }

  private writeFile(text: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const tmp = `${this.file}.${process.pid}.tmp`;
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}

/** "kept in the keychain" / "kept in a file in the config folder, not the keychain". */
export function whereWords(where: IdentityWhere | null): string {
  if (where === 'keychain') return 'kept in the keychain';
  if (where === 'file') return 'kept in a file in the config folder, not the keychain';
  return 'not on this machine';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The OS keychain through @napi-rs/keyring (macOS Keychain, Windows Credential Manager, the Secret
 * Service on Linux). On Linux it is pinned to the Secret Service: the kernel keyring it would fall
 * back to does not survive a restart. Loaded on first use, so a platform without the native module
 * only loses the keychain (the identity goes to the file), never the engine.
 */
export function osKeychain(): Keychain {
  type Entry = { getPassword(): Promise<string | null>; setPassword(p: string): Promise<void>; deleteCredential(): Promise<boolean> };
  const entry = async (service: string, account: string): Promise<Entry> => {
    const { AsyncEntry } = await import('@napi-rs/keyring');
    return new AsyncEntry(service, account, process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined);
  };
  return {
    get: async (s, a) => (await entry(s, a)).getPassword(),
    set: async (s, a, secret) => (await entry(s, a)).setPassword(secret),
    delete: async (s, a) => (await entry(s, a)).deleteCredential(),
  };
}

/** The keychain a host uses: the OS keychain, or none when CONFSYNC_KEYCHAIN=off (the file only). */
export function defaultKeychain(env: NodeJS.ProcessEnv = process.env): Keychain | null {
  return env.CONFSYNC_KEYCHAIN === 'off' ? null : osKeychain();
}
