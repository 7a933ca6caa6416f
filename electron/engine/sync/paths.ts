/**
 * Repo paths and live paths, both ways, for every kind of synced path (conflict copies included), and
 * the one way every command reads a PATH a person typed: the live path (absolute or `~/…`) or the repo
 * path (`zsh/.zshrc`). An unknown path is an error that names the closest synced path.
 */
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { copyOriginal, isConflictCopy } from './conflicts.js';
import { Variants } from './variants.js';
import { SEALED_SUFFIX, type SealedSet } from './sealed.js';

export interface ProfileMapper {
  liveToRepo(abs: string): string | null;
  repoToLive(repoPath: string): string | null;
}

export class PathMap {
  constructor(
    private readonly profiles: ProfileMapper,
    private readonly home: string,
    /** Machine variants of whole files (variants.ts): which repo path a live file uses here. */
    readonly variants: Variants = new Variants(() => ({ host: '', os: 'linux', classes: [] })),
    /** Files stored encrypted (sealed.ts): `zsh/.npmrc` lives as `zsh/.npmrc.age` in the repo. */
    readonly sealed: SealedSet | null = null,
  ) {}

  /** Live place of a repo path on this machine (a conflict copy sits beside its original), or null. */
  toLive(repoPath: string): string | null {
    const plain = this.sealed?.plainOf(repoPath);
    if (plain) return this.toLivePlain(plain);
    if (this.sealed?.has(repoPath)) return null; // a plain leftover of a file that is now encrypted
    return this.toLivePlain(repoPath);
  }

  /** The repo form of a plain repo path: `.age` added for an encrypted file and its conflict copies. */
  private sealedForm(p: string): string {
    if (!this.sealed) return p;
    if (this.sealed.has(p)) return `${p}${SEALED_SUFFIX}`;
    if (isConflictCopy(p)) {
      const orig = copyOriginal(p);
      if (orig && this.sealed.has(orig)) return `${p}${SEALED_SUFFIX}`;
    }
    return p;
  }

  private toLivePlain(repoPath: string): string | null {
    if (isConflictCopy(repoPath)) {
      const direct = this.profiles.repoToLive(repoPath);
      if (direct) return direct;
      const orig = copyOriginal(repoPath);
      const origBase = orig ? (this.variants.baseIfUsedHere(orig) ?? orig) : null;
      const liveOrig = origBase ? this.profiles.repoToLive(origBase) : null;
      return liveOrig ? join(dirname(liveOrig), basename(repoPath)) : null;
    }
    // Another machine's variant (or the default where this machine uses a variant) is not placed here.
    const base = this.variants.baseIfUsedHere(repoPath);
    return base === null ? null : this.profiles.repoToLive(base);
  }

  /** The repo path a profile's own path (its base) uses on this machine: itself, or this machine's variant. */
  used(base: string): string {
    return this.sealedForm(this.variants.repoPathFor(base));
  }

  /** Repo path of a live file (a copy beside a file entry included), or null. */
  toRepo(livePath: string): string | null {
    const p = this.toRepoPlain(livePath);
    return p === null ? null : this.sealedForm(p);
  }

  private toRepoPlain(livePath: string): string | null {
    const direct = this.profiles.liveToRepo(livePath);
    if (direct) return this.variants.repoPathFor(direct);
    const name = basename(livePath);
    if (!isConflictCopy(name)) return null;
    const orig = copyOriginal(name);
    const repoOrig = orig ? this.profiles.liveToRepo(join(dirname(livePath), orig)) : null;
    return repoOrig ? `${repoOrig.slice(0, repoOrig.lastIndexOf('/') + 1)}${name}` : null;
  }

  /** `~/x` and relative-to-home forms of an absolute path, for messages. */
  pretty(abs: string): string {
    return abs === this.home ? '~' : abs.startsWith(this.home + '/') ? `~/${abs.slice(this.home.length + 1)}` : abs;
  }

  /**
   * A PATH argument → the repo path it names. `known` lists the repo paths that may be named (synced
   * files, conflict paths, paths in history). Unknown → a message with the closest known path.
   */
  resolveArg(input: string, known: Iterable<string>): { ok: true; repoPath: string } | { ok: false; message: string } {
    const raw = input.trim();
    const knownList = [...new Set(known)];
    if (!raw || raw.includes('\0')) return { ok: false, message: 'no path given' };
    let repoPath: string | null = null;
    const live = raw === '~' || raw.startsWith('~/') ? join(this.home, raw.slice(2)) : isAbsolute(raw) ? normalize(raw) : null;
    if (live) repoPath = this.toRepo(live);
    else if (!raw.split('/').includes('..')) repoPath = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (repoPath && knownList.includes(repoPath)) return { ok: true, repoPath };
    const shown = live ? this.pretty(live) : raw;
    const best = closest(live ? this.pretty(live) : raw, knownList.flatMap((p) => {
      const l = this.toLive(p);
      return l ? [{ key: this.pretty(l), show: this.pretty(l) }, { key: p, show: p }] : [{ key: p, show: p }];
    }));
    const why = repoPath ? `${shown} is not a synced file` : live ? `${shown} is not inside an enabled profile` : `${shown} is not a synced file`;
    return { ok: false, message: best ? `${why}; did you mean ${best}?` : `${why} (see \`confsync status\` for what is synced)` };
  }
}

/** The candidate closest to `s` by edit distance, when it is reasonably close. */
export function closest(s: string, candidates: { key: string; show: string }[]): string | null {
  let best: { show: string; d: number } | null = null;
  for (const c of candidates) {
    const d = editDistance(s, c.key);
    if (!best || d < best.d) best = { show: c.show, d };
  }
  if (!best) return null;
  return best.d <= Math.max(3, Math.floor(s.length / 3)) ? best.show : null;
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
