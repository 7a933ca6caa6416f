/**
 * Encrypted files ("secrets"): the repo holds `PATH.age` (age-encrypted for the person's one identity),
 * the live file stays plain with its own mode. The sync core only knows this port; the age encryption
 * and where the identity lives (OS keychain, else a 0600 file in the config dir) are in
 * engine/secrets/ (age.ts, identity.ts).
 */
export const SEALED_SUFFIX = '.age';

export interface Sealer {
  /** True when this machine holds the identity (it can open and seal files). */
  ready(): Promise<boolean>;
  /** Encrypts for the identity's recipient. Throws when this machine has no identity. */
  seal(plain: Buffer): Promise<Buffer>;
  /**
   * Decrypts. null when this machine does not have the identity (the file stays encrypted in the repo
   * and untouched here). Throws with a clear message when the file is not a valid age file or was
   * encrypted for another identity.
   */
  open(cipher: Buffer): Promise<Buffer | null>;
}

/** A sealer for machines without secrets support (nothing can be opened or sealed). */
export const noSealer: Sealer = {
  ready: async () => false,
  seal: async () => {
    throw new Error('this machine has no secrets identity: run `confsync secret identity --create` or import one with `confsync secret import FILE`');
  },
  open: async () => null,
};
