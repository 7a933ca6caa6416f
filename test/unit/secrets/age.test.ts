/**
 * The age Sealer (engine/secrets/age.ts) over a real IdentityStore on a temp config dir (keychain off:
 * the identity is in the 0600 file), with real age encryption: round trips in binary age format,
 * armored files opened too, and clear words for a file that is not age, one encrypted for another
 * identity or with a passphrase, and one damaged. No identity: open is null, seal refuses.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { IdentityStore } from '../../../electron/engine/secrets/identity';
import { ageFormat, ageSealer, SealError } from '../../../electron/engine/secrets/age';
import { tmp } from '../../helpers/machine';

function store(): IdentityStore {
  const dir = join(tmp('cs-age-'), 'config');
  mkdirSync(dir, { recursive: true });
  return new IdentityStore({ configDir: dir, keychain: null });
}

async function encryptFor(identity: string, plain: string): Promise<Buffer> {
  const e = new Encrypter();
  e.addRecipient(await identityToRecipient(identity));
  return Buffer.from(await e.encrypt(plain));
}

async function failure(p: Promise<unknown>): Promise<SealError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SealError);
  return e as SealError;
}

describe('ageSealer', () => {
  it('seals for the identity in binary age format and opens it again; the same text seals differently each time', async () => {
    const s = store();
    await s.create();
    const sealer = ageSealer(s);
    expect(await sealer.ready()).toBe(true);
    const plain = Buffer.from('plain text of an encrypted file\n\u00e9\u0000binary\n');
    const cipher = await sealer.seal(plain);
    expect(ageFormat(cipher)).toBe('binary');
    expect(cipher.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    expect(cipher.includes(Buffer.from('encrypted file'))).toBe(false);
    expect(await sealer.open(cipher)).toEqual(plain);
    expect((await sealer.seal(plain)).equals(cipher)).toBe(false);
    // Plain age can open it with the same identity (nothing ConfSync-specific in the format).
    const d = new Decrypter();
    d.addIdentity((await s.get())!);
    expect(Buffer.from(await d.decrypt(cipher))).toEqual(plain);
    // An empty file round-trips too.
    expect(await sealer.open(await sealer.seal(Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
  });

  it('opens an armored file made by hand (age -a)', async () => {
    const s = store();
    await s.create();
    const armored = Buffer.from(armor.encode(await encryptFor((await s.get())!, 'by hand\n')));
    expect(ageFormat(armored)).toBe('armored');
    expect((await ageSealer(s).open(armored))!.toString()).toBe('by hand\n');
  });

  it('a file encrypted for another identity: words that say so and what to do', async () => {
    const s = store();
    const mine = await s.create();
    const cipher = await encryptFor(await generateX25519Identity(), 'theirs');
    const e = await failure(ageSealer(s).open(cipher));
    expect(e.reason).toBe('other-identity');
    expect(e.message).toMatch(/^the file was encrypted for another identity, not this machine's \(public key age1/);
    expect(e.message).toContain(mine.recipient.slice(0, 10));
    expect(e.message).toMatch(/use the same identity on every machine; copy it from a machine that has it/);
    expect(e.message).not.toContain((await s.get())!.slice(16));
  });

  it('a passphrase-protected file is named as such', async () => {
    const s = store();
    await s.create();
    const e = new Encrypter();
    e.setPassphrase('correct horse battery staple');
    e.setScryptWorkFactor(2);
    const err = await failure(ageSealer(s).open(Buffer.from(await e.encrypt('x'))));
    expect(err.reason).toBe('passphrase');
    expect(err.message).toMatch(/protected with a passphrase/);
  });

  it('garbage is "not an age-encrypted file"; damaged files say damaged', async () => {
    const s = store();
    await s.create();
    const sealer = ageSealer(s);
    for (const junk of [Buffer.from('registry=https://example.invalid\n'), Buffer.alloc(0), Buffer.from([0, 1, 2, 3])]) {
      const e = await failure(sealer.open(junk));
      expect(e.reason).toBe('not-age');
      expect(e.message).toMatch(/^not an age-encrypted file/);
    }
    const good = await sealer.seal(Buffer.from('some text that is long enough to matter\n'));
    const cut = good.subarray(0, good.length - 10);
    expect((await failure(sealer.open(cut))).reason).toBe('damaged');
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 1;
    const e = await failure(sealer.open(flipped));
    expect(e.reason).toBe('damaged');
    expect(e.message).toMatch(/the encrypted file is damaged: its contents fail the integrity check/);
    const badHeader = Buffer.concat([Buffer.from('age-encryption.org/v1\n-> nonsense\n'), Buffer.from('zzz')]);
    expect((await failure(sealer.open(badHeader))).message).toMatch(/damaged: its age header does not parse/);
    const badArmor = Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----\n!!!\n-----END AGE ENCRYPTED FILE-----\n');
    expect((await failure(sealer.open(badArmor))).message).toMatch(/armor does not decode/);
  });

  it('without an identity: not ready, open is null (the file stays encrypted), seal refuses with what to do', async () => {
    const s = store();
    const sealer = ageSealer(s);
    expect(await sealer.ready()).toBe(false);
    const cipher = await encryptFor(await generateX25519Identity(), 'x');
    expect(await sealer.open(cipher)).toBeNull();
    const e = await failure(sealer.seal(Buffer.from('x')));
    expect(e.reason).toBe('no-identity');
    expect(e.message).toMatch(/no secrets identity: run `confsync secret identity --create` on your first machine, or copy it from a machine that has it/);
    // Garbage is still called what it is.
    expect((await failure(sealer.open(Buffer.from('plain text')))).reason).toBe('not-age');
  });

  it('ensure makes the identity once; an import on this store is used at once', async () => {
    const s = store();
    const sealer = ageSealer(s);
    expect(await sealer.ensure()).toEqual({ created: true, where: 'file' });
    expect(await sealer.ensure()).toEqual({ created: false, where: 'file' });
    const other = await generateX25519Identity();
    const cipher = await encryptFor(other, 'from the other machines');
    await expect(sealer.open(cipher)).rejects.toThrow(/another identity/);
    await s.import(other, { replace: true });
    expect((await sealer.open(cipher))!.toString()).toBe('from the other machines');
  });
});
