/**
 * Encrypted files ("secrets"): the repo holds `PATH.age` (age-encrypted for the person's one identity),
 * the live file stays plain with its own mode. The sync core only knows this port; the age encryption
 * and where the identity lives (OS keychain, else a 0600 file in the config dir) are in
 * engine/secrets/ (age.ts, identity.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MARKER_DIR } from '../git/init.js';
import { copyOriginal } from './conflicts.js';

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
  /** Creates the identity when there is none (the first `secret add`); where it is kept. */
  ensure(): Promise<{ created: boolean; where: string }>;
}

/** A sealer for machines without secrets support (nothing can be opened or sealed). */
export const noSealer: Sealer = {
  ready: async () => false,
  seal: async () => {
    throw new Error('this machine has no secrets identity: run `confsync secret identity --create` or import one with `confsync secret import FILE`');
  },
  open: async () => null,
  ensure: async () => {
    throw new Error('secrets are not available in this host');
  },
};

/**
 * The files stored encrypted, shared by every machine: `.confsync/secrets.json` lists their repo paths
 * as people see them (`zsh/.npmrc`); the repo holds each as `zsh/.npmrc.age`. Listing them (instead of
 * taking every `*.age` file for one) keeps a person's own age files, synced as they are, untouched.
 */
export const SECRETS_REL = `${MARKER_DIR}/secrets.json`;

export class SealedSet {
  private files = new Set<string>();
  private dirty = false;

  constructor(private readonly repoDir: string) {}

  private get file(): string {
    return join(this.repoDir, ...SECRETS_REL.split('/'));
  }

  reload(): void {
    this.files = new Set();
    this.dirty = false;
    if (!existsSync(this.file)) return;
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as { files?: unknown };
      if (Array.isArray(raw.files)) for (const f of raw.files) if (typeof f === 'string' && f && !f.startsWith('/') && !f.split('/').includes('..')) this.files.add(f);
    } catch {
      // A broken list (a half-merged file): nothing is taken as encrypted that was not before; the
      // repo's .age files stay as they are until it is fixed.
    }
  }

  list(): string[] {
    return [...this.files].sort();
  }

  /** `zsh/.npmrc` is stored encrypted. */
  has(plainPath: string): boolean {
    return this.files.has(plainPath);
  }

  add(plainPath: string): void {
    if (!this.files.has(plainPath)) {
      this.files.add(plainPath);
      this.dirty = true;
    }
  }

  remove(plainPath: string): boolean {
    const had = this.files.delete(plainPath);
    if (had) this.dirty = true;
    return had;
  }

  /** Writes the list into the working tree when it changed; true when written. */
  save(): boolean {
    if (!this.dirty) return false;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify({ version: 1, files: this.list() }, null, 2)}\n`);
    this.dirty = false;
    return true;
  }

  /**
   * The plain path of a repo path that holds an encrypted file (a listed file's `.age`, or a conflict
   * copy of one), else null.
   */
  plainOf(repoPath: string): string | null {
    if (!repoPath.endsWith(SEALED_SUFFIX)) return null;
    const plain = repoPath.slice(0, -SEALED_SUFFIX.length);
    if (this.files.has(plain)) return plain;
    const orig = copyOriginal(repoPath);
    if (orig && orig.endsWith(SEALED_SUFFIX) && this.files.has(orig.slice(0, -SEALED_SUFFIX.length))) return plain;
    return null;
  }

  isSealed(repoPath: string): boolean {
    return this.plainOf(repoPath) !== null;
  }
}

/**
 * What the plain text of each encrypted blob is (cipher blob id → plain blob id), on this machine: age
 * encrypts the same text differently every time, so "unchanged since it was synced" compares plain
 * ids. Kept beside the snapshot; losing it only costs a decryption.
 */
export class PlainIds {
  private map = new Map<string, string>();
  private dirty = false;

  constructor(private readonly file: string) {}

  load(): void {
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
      this.map = new Map(Object.entries(raw));
    } catch {
      this.map = new Map();
    }
  }

  get(cipherOid: string | undefined): string | undefined {
    return cipherOid ? this.map.get(cipherOid) : undefined;
  }

  set(cipherOid: string, plainOid: string): void {
    if (this.map.get(cipherOid) === plainOid) return;
    this.map.delete(cipherOid);
    this.map.set(cipherOid, plainOid);
    while (this.map.size > 10_000) this.map.delete(this.map.keys().next().value!);
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    writeFileSync(this.file, JSON.stringify(Object.fromEntries(this.map)), { mode: 0o600 });
    this.dirty = false;
  }
}

/** The listed files of a `.confsync/secrets.json` (empty when absent or unreadable). */
export function parseSecretsFile(bytes: Buffer | null): Set<string> {
  if (!bytes) return new Set();
  try {
    const raw = JSON.parse(bytes.toString('utf8')) as { files?: unknown };
    return new Set(Array.isArray(raw.files) ? raw.files.filter((f): f is string => typeof f === 'string' && f.length > 0) : []);
  } catch {
    return new Set();
  }
}

/**
 * Three-way merge of the lists: a file added on either side is kept; one side's removal holds, unless
 * the side that kept the file changed its encrypted version meanwhile (`changedSealed`): then the file
 * stays encrypted (a removal never beats an edit, and the edit is in the repo only encrypted). Without
 * that, the kept `.age` would be a plain file of that name, written live as its ciphertext.
 */
export function mergeSecretsFiles(base: Set<string>, ours: Set<string>, theirs: Set<string>, changedSealed: (plain: string) => boolean = () => false): Buffer {
  const out: string[] = [];
  for (const f of new Set([...ours, ...theirs])) {
    if (base.has(f) ? (ours.has(f) && theirs.has(f)) || changedSealed(f) : true) out.push(f);
  }
  return Buffer.from(`${JSON.stringify({ version: 1, files: out.sort() }, null, 2)}\n`);
}
