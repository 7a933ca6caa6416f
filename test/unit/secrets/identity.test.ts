/**
 * The secrets identity store (engine/secrets/identity.ts) on temp config dirs, with the keychain as an
 * injected port: a working in-memory keychain, and failing ones (the words @napi-rs/keyring uses on a
 * machine without a usable keychain, like this Linux box). Identities are made at test time: no file in
 * this repository holds one.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { IdentityError, IdentityStore, IDENTITY_DIR, IDENTITY_FILE, parseIdentity, type Keychain } from '../../../electron/engine/secrets/identity';
import { tmp } from '../../helpers/machine';

const UNAVAILABLE = "Couldn't access platform storage: AccessDenied";

/** A keychain that works, kept in memory; records what was asked. */
function memoryKeychain(): Keychain & { entries: Map<string, string>; calls: string[] } {
  const entries = new Map<string, string>();
  const calls: string[] = [];
  const k = (s: string, a: string) => `${s}/${a}`;
  return {
    entries,
    calls,
    get: async (s, a) => {
      calls.push('get');
      return entries.get(k(s, a)) ?? null;
    },
    set: async (s, a, v) => {
      calls.push('set');
      entries.set(k(s, a), v);
    },
    delete: async (s, a) => {
      calls.push('delete');
      return entries.delete(k(s, a));
    },
  };
}

/** No keychain at all: every call throws. */
const brokenKeychain: Keychain = {
  get: async () => {
    throw new Error(UNAVAILABLE);
  },
  set: async () => {
    throw new Error(UNAVAILABLE);
  },
  delete: async () => {
    throw new Error(UNAVAILABLE);
  },
};

/** Reads say "nothing there" but writes are refused (what this box's kernel keyring does). */
const readOnlyKeychain: Keychain = {
  get: async () => null,
  set: async () => {
    throw new Error(UNAVAILABLE);
  },
  delete: async () => true,
};

function configDir(): string {
  const d = join(tmp('cs-identity-'), 'config');
  mkdirSync(d, { recursive: true });
  return d;
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe('IdentityStore with a working keychain', () => {
  it('creates one identity, keeps it in the keychain (no file), and refuses a second', async () => {
    const dir = configDir();
    const kc = memoryKeychain();
    const store = new IdentityStore({ configDir: dir, keychain: kc });
    expect(await store.get()).toBeNull();
    expect(await store.where()).toBeNull();

    const made = await store.create();
    expect(made.where).toBe('keychain');
    expect(made.recipient).toMatch(/^age1[0-9a-z]{58}$/);
    const id = await store.get();
    expect(id).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(await identityToRecipient(id!)).toBe(made.recipient);
    expect([...kc.entries.values()]).toEqual([id]);
    expect(existsSync(join(dir, IDENTITY_DIR, IDENTITY_FILE))).toBe(false);
    expect(await store.status()).toEqual({ exists: true, where: 'keychain', recipient: made.recipient, file: null, keychainProblem: null });

    await expect(store.create()).rejects.toThrow(/already has a secrets identity \(public key age1.*kept in the keychain\).*no new one was made/);
    expect(await store.get()).toBe(id);
    expect(kc.entries.size).toBe(1);

    // A second store over the same keychain (another process) reads the same identity.
    const again = new IdentityStore({ configDir: dir, keychain: kc });
    expect(await again.get()).toBe(id);
    expect(await again.where()).toBe('keychain');
  });

  it('reads once and keeps the identity in memory', async () => {
    const dir = configDir();
    const kc = memoryKeychain();
    await new IdentityStore({ configDir: dir, keychain: kc }).create();
    const fresh = new IdentityStore({ configDir: dir, keychain: kc });
    kc.calls.length = 0;
    for (let i = 0; i < 5; i++) await fresh.get();
    expect(kc.calls).toEqual(['get']);
  });

  it('imports the identity line or an age-keygen file with comments; the same one again changes nothing', async () => {
    const id = await generateX25519Identity();
    const recipient = await identityToRecipient(id);
    const kc = memoryKeychain();
    const store = new IdentityStore({ configDir: configDir(), keychain: kc });
    const file = `# created: 2026-12-01T10:00:00Z\r\n# public key: ${recipient}\r\n\r\n   ${id}   \r\n`;
    expect(await store.import(file)).toEqual({ recipient, where: 'keychain', changed: true });
    expect(await store.get()).toBe(id);
    expect(await store.import(`\n${id}\n`)).toEqual({ recipient, where: 'keychain', changed: false });
  });

  it('a different identity is refused unless replace; replacing leaves one place holding the new one', async () => {
    const dir = configDir();
    const kc = memoryKeychain();
    const store = new IdentityStore({ configDir: dir, keychain: kc });
    const first = await store.create();
    const other = await generateX25519Identity();
    await expect(store.import(other)).rejects.toThrow(/already has a different secrets identity .*nothing was changed.*--replace/);
    expect(await store.recipient()).toBe(first.recipient);

    const r = await store.import(other, { replace: true });
    expect(r).toEqual({ recipient: await identityToRecipient(other), where: 'keychain', changed: true });
    expect([...kc.entries.values()]).toEqual([other]);
    expect(await new IdentityStore({ configDir: dir, keychain: kc }).get()).toBe(other);
  });

  it('remove forgets it in the keychain and the file', async () => {
    const dir = configDir();
    const kc = memoryKeychain();
    const store = new IdentityStore({ configDir: dir, keychain: kc });
    await store.create();
    expect(await store.remove()).toBe(true);
    expect(kc.entries.size).toBe(0);
    expect(await store.get()).toBeNull();
    expect(await store.remove()).toBe(false);
  });

  it('a keychain that does not give back what was stored is not trusted: the file is used', async () => {
    const dir = configDir();
    const forgetful: Keychain = { get: async () => null, set: async () => undefined, delete: async () => false };
    const store = new IdentityStore({ configDir: dir, keychain: forgetful });
    const made = await store.create();
    expect(made.where).toBe('file');
    expect((await store.status()).keychainProblem).toBe('the keychain did not give back what was stored');
  });
});

describe('IdentityStore when the keychain cannot be used', () => {
  for (const [name, kc] of [
    ['every call throws', brokenKeychain],
    ['reads work, writes throw', readOnlyKeychain],
  ] as const) {
    it(`${name}: the identity goes to a 0600 file in a 0700 folder of the config dir, and where() says 'file'`, async () => {
      const dir = configDir();
      const store = new IdentityStore({ configDir: dir, keychain: kc });
      const made = await store.create();
      expect(made.where).toBe('file');
      const file = join(dir, IDENTITY_DIR, IDENTITY_FILE);
      expect(mode(file)).toBe(0o600);
      expect(mode(join(dir, IDENTITY_DIR))).toBe(0o700);
      const text = readFileSync(file, 'utf8');
      const id = await store.get();
      // The age-keygen format: comments with the public key, then the key line.
      expect(text).toContain(`# public key: ${made.recipient}\n${id}\n`);
      expect((await parseIdentity(text)).identity).toBe(id);
      const st = await store.status();
      expect(st).toEqual({ exists: true, where: 'file', recipient: made.recipient, file, keychainProblem: UNAVAILABLE });
      // No temp file left behind.
      expect(readdirSync(join(dir, IDENTITY_DIR))).toEqual([IDENTITY_FILE]);

      const again = new IdentityStore({ configDir: dir, keychain: kc });
      expect(await again.get()).toBe(id);
      expect(await again.where()).toBe('file');
      await expect(again.create()).rejects.toThrow(/already has a secrets identity .*kept in a file in the config folder, not the keychain/);
    });
  }

  it('no keychain at all (CONFSYNC_KEYCHAIN=off): the file, and the status says why', async () => {
    const store = new IdentityStore({ configDir: configDir(), keychain: null });
    const made = await store.import(await generateX25519Identity());
    expect(made.where).toBe('file');
    expect((await store.status()).keychainProblem).toBe('turned off for this host');
  });

  it('a loosened file is made owner-only again when read; a folder made looser is tightened when written', async () => {
    const dir = configDir();
    const store = new IdentityStore({ configDir: dir, keychain: brokenKeychain });
    await store.create();
    const file = join(dir, IDENTITY_DIR, IDENTITY_FILE);
    chmodSync(file, 0o644);
    chmodSync(join(dir, IDENTITY_DIR), 0o755);
    const fresh = new IdentityStore({ configDir: dir, keychain: brokenKeychain });
    expect(await fresh.get()).not.toBeNull();
    expect(mode(file)).toBe(0o600);
    await fresh.import(await generateX25519Identity(), { replace: true });
    expect(mode(join(dir, IDENTITY_DIR))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
  });

  it('a file that is a link, or a damaged file, is an error naming the file (never "no identity")', async () => {
    const dir = configDir();
    mkdirSync(join(dir, IDENTITY_DIR), { recursive: true });
    const file = join(dir, IDENTITY_DIR, IDENTITY_FILE);
    writeFileSync(file, '# public key: age1qqqq\nAGE-SECRET-KEY-1NOTAKEY\n', { mode: 0o600 });
    await expect(new IdentityStore({ configDir: dir, keychain: null }).get()).rejects.toThrow(`the secrets identity file ${file} cannot be used: the identity is damaged`);
    const dir2 = configDir();
    mkdirSync(join(dir2, IDENTITY_DIR), { recursive: true });
    symlinkSync(file, join(dir2, IDENTITY_DIR, IDENTITY_FILE));
    await expect(new IdentityStore({ configDir: dir2, keychain: null }).get()).rejects.toThrow(/is not a regular file/);
  });
});

describe('import validation: a wrong value is a clear error and nothing is stored', () => {
  async function refused(text: string, words: RegExp) {
    const dir = configDir();
    const kc = memoryKeychain();
    const store = new IdentityStore({ configDir: dir, keychain: kc });
    const err = await store.import(text).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(IdentityError);
    expect(err!.message).toMatch(words);
    expect(kc.entries.size).toBe(0);
    expect(existsSync(join(dir, IDENTITY_DIR))).toBe(false);
    expect(await store.get()).toBeNull();
    return err!;
  }

  it('a garbled identity: one character changed, one missing', async () => {
    const id = await generateX25519Identity();
    const flipped = id.slice(0, 30) + (id[30] === 'Q' ? 'P' : 'Q') + id.slice(31);
    const e1 = await refused(flipped, /the identity is damaged: it does not decode .*confsync secret import/);
    // Never echoes what was pasted.
    expect(e1.message).not.toContain(flipped.slice(16));
    await refused(id.slice(0, -1), /the identity is damaged/);
    await refused(`${id.slice(0, 20)} ${id.slice(20)}`, /the identity is damaged|beside the identity/);
  });

  it('empty, only comments, a public key, an SSH key, an encrypted file, random words', async () => {
    await refused('', /no identity found: expected one line that starts with AGE-SECRET-KEY-1/);
    await refused('  \n# only a comment\n', /no identity found/);
    const recipient = await identityToRecipient(await generateX25519Identity());
    await refused(recipient, /that is a public key \(age1.*\), not the identity: give the private key/);
    await refused('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFake me@host', /SSH keys are not used for secrets/);
    await refused('age-encryption.org/v1\n-> X25519 abc\n--- def\n', /this is an age-encrypted file, not an identity/);
    await refused('hello world', /not an age identity: expected one line that starts with AGE-SECRET-KEY-1/);
  });

  it('two identities, extra lines, or a comment naming another public key', async () => {
    const a = await generateX25519Identity();
    const b = await generateX25519Identity();
    await refused(`${a}\n${b}\n`, /found 2 identities; ConfSync uses one/);
    await refused(`${a}\nsomething else\n`, /found 1 other line beside the identity/);
    const otherPublic = await identityToRecipient(b);
    await refused(`# public key: ${otherPublic}\n${a}\n`, /does not match the public key in its own comment/);
  });

  it('a key copied in lower case is the same key', async () => {
    const id = await generateX25519Identity();
    const store = new IdentityStore({ configDir: configDir(), keychain: memoryKeychain() });
    const r = await store.import(id.toLowerCase());
    expect(r.recipient).toBe(await identityToRecipient(id));
    expect(await store.get()).toBe(id);
  });
});
