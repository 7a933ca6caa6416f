/**
 * The Sealer (sync/sealed.ts) over age (typage, `age-encryption`): files stored as `PATH.age` are
 * encrypted for the public key of the person's one identity (secrets/identity.ts).
 *
 * Format: binary age (`age-encryption.org/v1`), not ASCII armor. Nothing reads these files as text:
 * git stores them as binary either way, and armor only adds a third to their size. `open` accepts
 * both, so a file a person encrypted by hand with `age -a -r age1…` opens too.
 *
 * The identity comes from the store, which reads it once and keeps it in memory; it is never logged
 * and never part of an error message.
 */
import { Decrypter, Encrypter, armor } from 'age-encryption';
import type { Sealer } from '../sync/sealed.js';
import { IMPORT_HINT, shortRecipient, type IdentityStore } from './identity.js';

const BINARY_MAGIC = Buffer.from('age-encryption.org/v1\n');
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

/** A file that cannot be opened, in words for people: why, and what to do. */
export class SealError extends Error {
  constructor(
    message: string,
    readonly reason: 'not-age' | 'other-identity' | 'passphrase' | 'damaged' | 'no-identity',
  ) {
    super(message);
    this.name = 'SealError';
  }
}

/** 'binary' or 'armored' when `data` starts like an age file, else null. */
export function ageFormat(data: Buffer): 'binary' | 'armored' | null {
  if (data.length >= BINARY_MAGIC.length && data.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC)) return 'binary';
  const head = data.subarray(0, 200).toString('latin1').trimStart();
  return head.startsWith(ARMOR_BEGIN) ? 'armored' : null;
}

/** The header's stanza types (`X25519`, `scrypt`, …), read without any key. */
function stanzaTypes(binary: Uint8Array): string[] {
  const end = Math.min(binary.length, 64 * 1024);
  const text = Buffer.from(binary.subarray(0, end)).toString('latin1');
  const stop = text.indexOf('\n---');
  return (stop < 0 ? text : text.slice(0, stop))
    .split('\n')
    .filter((l) => l.startsWith('-> '))
    .map((l) => l.slice(3).split(' ')[0]);
}

export function ageSealer(store: IdentityStore): Sealer {
  const noIdentity = () =>
    new SealError(
      `this machine has no secrets identity: run \`confsync secret identity --create\` on your first machine, or ${IMPORT_HINT}`,
      'no-identity',
    );

  return {
    async ready() {
      return (await store.get()) !== null;
    },

    async seal(plain) {
      const recipient = await store.recipient();
      if (!recipient) throw noIdentity();
      const e = new Encrypter();
      e.addRecipient(recipient);
      return Buffer.from(await e.encrypt(new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength)));
    },

    async open(cipher) {
      const format = ageFormat(cipher);
      if (!format) {
        throw new SealError('not an age-encrypted file (it does not start with the age header): it was changed by something other than ConfSync, or is not one of its encrypted files', 'not-age');
      }
      const identity = await store.get();
      if (!identity) return null;
      let binary: Uint8Array;
      try {
        binary = format === 'armored' ? armor.decode(cipher.toString('latin1')) : new Uint8Array(cipher.buffer, cipher.byteOffset, cipher.byteLength);
      } catch {
        throw new SealError('the encrypted file is damaged: its text armor does not decode', 'damaged');
      }
      const d = new Decrypter();
      d.addIdentity(identity);
      try {
        return Buffer.from(await d.decrypt(binary));
      } catch (e) {
        throw await explain(e, binary, store);
      }
    },

    async ensure() {
      const where = await store.where();
      if (where) return { created: false, where };
      const made = await store.create();
      return { created: true, where: made.where };
    },
  };
}

/** age's own messages, mapped to what happened and what to do. */
async function explain(e: unknown, binary: Uint8Array, store: IdentityStore): Promise<SealError> {
  const msg = e instanceof Error ? e.message : String(e);
  if (/no identity matched/.test(msg)) {
    if (stanzaTypes(binary).includes('scrypt')) {
      return new SealError('the file is protected with a passphrase, not encrypted for your secrets identity: ConfSync cannot open it', 'passphrase');
    }
    const mine = await store.recipient();
    return new SealError(
      `the file was encrypted for another identity, not this machine's (public key ${mine ? shortRecipient(mine) : 'unknown'}): use the same identity on every machine; ${IMPORT_HINT}`,
      'other-identity',
    );
  }
  if (/invalid version|invalid header|invalid stanza/.test(msg) && !/HMAC/.test(msg)) {
    return new SealError('the encrypted file is damaged: its age header does not parse', 'damaged');
  }
  if (/HMAC/.test(msg)) return new SealError('the encrypted file is damaged: its header was changed after it was encrypted', 'damaged');
  return new SealError('the encrypted file is damaged: its contents fail the integrity check (cut short or changed)', 'damaged');
}
