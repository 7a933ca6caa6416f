/** A Sealer over real age encryption with an identity held in memory (tests; the product's is engine/secrets/age.ts). */
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import type { Sealer } from '../../electron/engine/sync/sealed';

export async function newIdentity(): Promise<string> {
  return generateX25519Identity();
}

export function memorySealer(identity: string | null): Sealer & { identity: string | null } {
  const s = {
    identity,
    ready: async () => s.identity !== null,
    ensure: async () => {
      if (s.identity) return { created: false, where: 'memory' };
      s.identity = await generateX25519Identity();
      return { created: true, where: 'memory' };
    },
    seal: async (plain: Buffer) => {
      if (!s.identity) throw new Error('no identity');
      const e = new Encrypter();
      e.addRecipient(await identityToRecipient(s.identity));
      return Buffer.from(await e.encrypt(plain));
    },
    open: async (cipher: Buffer) => {
      if (!s.identity) return null;
      const d = new Decrypter();
      d.addIdentity(s.identity);
      return Buffer.from(await d.decrypt(cipher));
    },
  };
  return s;
}
