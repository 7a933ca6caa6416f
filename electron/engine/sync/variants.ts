/**
 * Machine variants of a whole file, in yadm's spirit: beside `git/.gitconfig` (the default) the repo
 * may hold `git/.gitconfig##host.work-mbp`, `##class.work` or `##os.linux`. On each machine the most
 * specific variant that matches it is the file's repo path: it is applied there, and edits there are
 * committed back to it. Variants for other machines, and the default where a variant is used, are not
 * this machine's: never applied here, never deleted from here.
 *
 * Conditions: `host.NAME` (this machine's host name), `class.NAME` (a label set per machine in
 * settings, `machine.classes`), `os.macos|linux|windows` (`darwin`, `win32` accepted). Several joined by
 * `,` must all hold (`##os.macos,class.work`). Specificity: host 4, class 2, os 1 (summed), the default
 * 0; a tie goes to the name that sorts first. Names compare case-insensitively. A `##` suffix that
 * is not made of these conditions is an ordinary file name.
 *
 * When the variant in use for a path changes (a variant for this machine arrived, or was removed), the
 * synced state moves with it: this machine's live file was synced as the old repo path, so the new one
 * arrives as a change from the repo, and an edit made here meanwhile is a conflict, not a loss.
 */

export interface MachineFacts {
  host: string;
  os: 'macos' | 'linux' | 'windows';
  classes: readonly string[];
}

export const VARIANT_SEP = '##';

type Cond = { kind: 'host' | 'class' | 'os'; name: string };

const OS_NAMES: Record<string, MachineFacts['os']> = { macos: 'macos', darwin: 'macos', linux: 'linux', windows: 'windows', win32: 'windows' };
const WEIGHT = { host: 4, class: 2, os: 1 } as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function osOf(platform: NodeJS.Platform): MachineFacts['os'] {
  return platform === 'darwin' ? 'macos' : platform === 'win32' ? 'windows' : 'linux';
}

/** `host.work-mbp,class.work` → conditions; null when it is not a variant suffix. */
export function parseConditions(suffix: string): Cond[] | null {
  if (!suffix) return null;
  const out: Cond[] = [];
  for (const part of suffix.split(',')) {
    const dot = part.indexOf('.');
    if (dot <= 0) return null;
    const kind = part.slice(0, dot).toLowerCase();
    const name = part.slice(dot + 1);
    if (kind !== 'host' && kind !== 'class' && kind !== 'os') return null;
    if (!NAME.test(name)) return null;
    if (kind === 'os' && !OS_NAMES[name.toLowerCase()]) return null;
    out.push({ kind, name });
  }
  return out;
}

/** A repo path → its base path and conditions, or null when it is no variant. */
export function splitVariant(repoPath: string): { base: string; conds: Cond[]; suffix: string } | null {
  const slash = repoPath.lastIndexOf('/');
  const i = repoPath.indexOf(VARIANT_SEP, slash + 1);
  if (i <= slash + 1) return null;
  const suffix = repoPath.slice(i + VARIANT_SEP.length);
  const conds = parseConditions(suffix);
  return conds ? { base: repoPath.slice(0, i), conds, suffix } : null;
}

/** `host:work-mbp` (the CLI's form) or `host.work-mbp` → the suffix written in the repo, or an error. */
export function variantSuffix(spec: string): { ok: true; suffix: string } | { ok: false; message: string } {
  const parts = spec.split(',').map((p) => p.trim().replace(':', '.'));
  const conds = parseConditions(parts.join(','));
  if (!conds) return { ok: false, message: `"${spec}" is not a variant condition; use host:NAME, class:NAME or os:macos|linux|windows (several joined by commas)` };
  return { ok: true, suffix: conds.map((c) => `${c.kind}.${c.kind === 'os' ? OS_NAMES[c.name.toLowerCase()] : c.name}`).join(',') };
}

function holds(c: Cond, m: MachineFacts): boolean {
  const n = c.name.toLowerCase();
  if (c.kind === 'host') return n === m.host.toLowerCase();
  if (c.kind === 'class') return m.classes.some((x) => x.toLowerCase() === n);
  return OS_NAMES[n] === m.os;
}

/** How specific a variant is for this machine, or -1 when it does not match it. */
export function specificity(conds: Cond[], m: MachineFacts): number {
  let s = 0;
  for (const c of conds) {
    if (!holds(c, m)) return -1;
    s += WEIGHT[c.kind];
  }
  return s;
}

/** Words for a suffix: "host work-mbp", "class work and macOS". */
export function describeVariant(suffix: string | null): string {
  if (!suffix) return 'the default';
  const conds = parseConditions(suffix) ?? [];
  const words = conds.map((c) => (c.kind === 'os' ? { macos: 'macOS', linux: 'Linux', windows: 'Windows' }[OS_NAMES[c.name.toLowerCase()]!] : `${c.kind} ${c.name}`));
  return words.join(' and ');
}

/**
 * The variants the repo holds, and which repo path each base uses on this machine. Rebuilt from the
 * repo's tree whenever it changes (cheap: only paths with `##` are looked at).
 */
export class Variants {
  /** base → its variant repo paths (the default not included). */
  private byBase = new Map<string, string[]>();
  /** base → the repo path used here (only for bases that have variants). */
  private chosen = new Map<string, string>();

  constructor(readonly machine: () => MachineFacts) {}

  /** Re-reads the variants from the repo paths; returns the bases whose chosen path changed. */
  update(repoPaths: Iterable<string>, extra: Iterable<string> = []): { base: string; from: string; to: string }[] {
    const byBase = new Map<string, string[]>();
    for (const p of [...repoPaths, ...extra]) {
      const v = splitVariant(p);
      if (!v) continue;
      const list = byBase.get(v.base) ?? [];
      if (!list.includes(p)) list.push(p);
      byBase.set(v.base, list);
    }
    const m = this.machine();
    const chosen = new Map<string, string>();
    for (const [base, list] of byBase) {
      let best = base;
      let bestScore = 0;
      for (const p of [...list].sort()) {
        const s = specificity(splitVariant(p)!.conds, m);
        if (s > bestScore) {
          best = p;
          bestScore = s;
        }
      }
      chosen.set(base, best);
    }
    const changed: { base: string; from: string; to: string }[] = [];
    for (const base of new Set([...this.chosen.keys(), ...chosen.keys()])) {
      const from = this.chosen.get(base) ?? base;
      const to = chosen.get(base) ?? base;
      if (from !== to) changed.push({ base, from, to });
    }
    this.byBase = byBase;
    this.chosen = chosen;
    return changed;
  }

  /** The repo path this machine uses for a base path (the base itself when it has no variant here). */
  repoPathFor(base: string): string {
    return this.chosen.get(base) ?? base;
  }

  /** A repo path's base, when that repo path is the one this machine uses; null when it is another machine's. */
  baseIfUsedHere(repoPath: string): string | null {
    const v = splitVariant(repoPath);
    if (v) return this.chosen.get(v.base) === repoPath ? v.base : null;
    const chosen = this.chosen.get(repoPath);
    return chosen === undefined || chosen === repoPath ? repoPath : null;
  }

  /** Every variant of a base (default first), with whether it is the one used here. */
  list(base: string): { repoPath: string; suffix: string | null; here: boolean }[] {
    const used = this.repoPathFor(base);
    const out = [{ repoPath: base, suffix: null as string | null, here: used === base }];
    for (const p of [...(this.byBase.get(base) ?? [])].sort()) out.push({ repoPath: p, suffix: splitVariant(p)!.suffix, here: used === p });
    return out;
  }

  bases(): string[] {
    return [...this.byBase.keys()].sort();
  }
}
