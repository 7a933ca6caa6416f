/**
 * The History tab's timeline, pure: pages of `history:timeline` merged without ever listing one change
 * twice, the path filter (a search over file names) and the words for a change and its files.
 *
 * Repo paths are `<profile>/<path relative to home>` (`_abs/…` for files outside home), and a machine
 * variant is the same path with `##host.NAME`, `##class.NAME` or `##os.NAME` after it; so a repo path
 * names its file the same way on every machine ("~/.zshrc"), whatever the home folder is called.
 */
import type { SyncedFile, TimelineEntry } from '../../shared/contract.js';
import { plural } from '../../shared/meanings.js';

export type TimelineFile = TimelineEntry['files'][number];

/** Changes asked for at a time. */
export const TIMELINE_PAGE = 50;

// ------------------------------------------------------------------------------------ merging pages

/** Appends an older page: a change already listed is never listed again. */
export function appendOlder(list: readonly TimelineEntry[], page: readonly TimelineEntry[]): TimelineEntry[] {
  const seen = new Set(list.map((e) => e.rev));
  const out = [...list];
  for (const e of page) {
    if (seen.has(e.rev)) continue;
    seen.add(e.rev);
    out.push(e);
  }
  return out;
}

/**
 * The newest page after the repo moved (a sync, a restore): the new changes go on top of what was
 * already listed. When the page does not reach back to the newest change listed before (more new
 * changes than one page holds), the older ones are dropped rather than leaving a gap in between.
 */
export function mergeNewest(list: readonly TimelineEntry[], page: readonly TimelineEntry[]): TimelineEntry[] {
  const first = appendOlder([], page);
  if (list.length === 0) return first;
  if (!first.some((e) => e.rev === list[0].rev)) return first;
  return appendOlder(first, list);
}

// ------------------------------------------------------------------------------------ files and names

const VARIANT = /##((?:host|class|os)\.[A-Za-z0-9][A-Za-z0-9._-]*(?:,(?:host|class|os)\.[A-Za-z0-9][A-Za-z0-9._-]*)*)$/i;

/** `git/.gitconfig##host.work` → `git/.gitconfig`; other paths as they are. */
export function variantBase(repoPath: string): string {
  const m = VARIANT.exec(repoPath);
  return m ? repoPath.slice(0, m.index) : repoPath;
}

/** "host work", "class work and macOS" for a variant's repo path; null for a plain file. */
export function variantWords(repoPath: string): string | null {
  const m = VARIANT.exec(repoPath);
  if (!m) return null;
  const os: Record<string, string> = { macos: 'macOS', darwin: 'macOS', linux: 'Linux', windows: 'Windows', win32: 'Windows' };
  return m[1]
    .split(',')
    .map((c) => {
      const [kind, name] = [c.slice(0, c.indexOf('.')).toLowerCase(), c.slice(c.indexOf('.') + 1)];
      return kind === 'os' ? (os[name.toLowerCase()] ?? name) : `${kind} ${name}`;
    })
    .join(' and ');
}

/** The profile a repo path belongs to (its first folder); null for files outside home. */
export function profileOf(repoPath: string): string | null {
  const first = repoPath.split('/')[0];
  return first && first !== '_abs' && repoPath.includes('/') ? first : null;
}

/** Where the file is on a machine: `zsh/.zshrc` → `~/.zshrc`, `_abs/etc/x` → `/etc/x` (variant suffix left out). */
export function filePlace(repoPath: string): string {
  const base = variantBase(repoPath);
  const slash = base.indexOf('/');
  if (slash < 0) return base;
  const rest = base.slice(slash + 1);
  return base.startsWith('_abs/') ? `/${rest}` : `~/${rest}`;
}

/** The file's name: `zsh/.config/x/init.lua` → `init.lua`. */
export function fileName(repoPath: string): string {
  const base = variantBase(repoPath);
  return base.slice(base.lastIndexOf('/') + 1) || base;
}

/** ".zshrc", ".zshrc and init.lua", ".zshrc, init.lua, .gitconfig and 2 more" (a change's files, first three). */
export function fileNamesWords(files: readonly { path: string }[], shown = 3): string {
  const names = [...new Set(files.map((f) => fileName(f.path)))];
  if (names.length <= shown) return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${names.slice(0, shown).join(', ')} and ${plural(names.length - shown, 'more', 'more')}`;
}

/** "Added", "Changed", "Deleted". */
export function changeWords(change: TimelineFile['change']): string {
  return change === 'added' ? 'Added' : change === 'deleted' ? 'Deleted' : 'Changed';
}

/**
 * What kind of change a commit was, from ConfSync's own commit messages, when it was more than an
 * edit saved: "Restored", "Conflict resolved", "Variant added", "Encrypted", "No longer encrypted".
 * null for ordinary saves (the files say it all) and for messages ConfSync did not write.
 */
export function changeKindWords(message: string, host: string): string | null {
  const m = message.startsWith(`${host}: `) ? message.slice(host.length + 2) : message;
  if (/^restore /.test(m)) return 'Restored';
  if (/^resolve conflict /.test(m)) return 'Conflict resolved';
  if (/^add variant /.test(m)) return 'Variant added';
  if (/^encrypt /.test(m)) return 'Encrypted';
  if (/^stop encrypting /.test(m)) return 'No longer encrypted';
  return null;
}

// ------------------------------------------------------------------------------------ the path filter

export interface PathFilter {
  /** The search as typed, trimmed and lower-cased ("" when there is none). */
  needle: string;
  /** The synced files (by base path: a file and its variants are one) the search matches. */
  bases: string[];
  /** The one synced file the search names, when it names one: asked of the host with `path`. */
  one: string | null;
  /** That file's repo paths (the file, and its variants), when it has variants. */
  variants: string[];
}

function norm(q: string): string {
  return q.trim().toLowerCase().replace(/^~\//, '');
}

/** Whether a file (repo path, or where it lives on this machine) matches the search. */
export function fileMatches(f: { path: string; live?: string | null }, needle: string): boolean {
  if (!needle) return true;
  const p = f.path.toLowerCase();
  return p.includes(needle) || filePlace(f.path).toLowerCase().includes(needle) || (f.live ?? '').toLowerCase().includes(needle);
}

/**
 * The synced files a search matches. It names one file when exactly one matches, or when exactly one
 * is named in full (its name ".zshrc", its place "~/.zshrc", its repo or live path): ".zshrc" names
 * ~/.zshrc although ~/.zshrc.local matches too.
 */
export function pathFilter(files: readonly SyncedFile[], query: string): PathFilter {
  const needle = norm(query);
  if (!needle) return { needle, bases: [], one: null, variants: [] };
  const groups = new Map<string, SyncedFile[]>();
  for (const f of files) {
    const b = variantBase(f.path);
    groups.set(b, [...(groups.get(b) ?? []), f]);
  }
  const bases: string[] = [];
  const exact: string[] = [];
  for (const [base, list] of groups) {
    if (!list.some((f) => fileMatches({ path: f.path, live: f.livePath }, needle))) continue;
    bases.push(base);
    const full = [fileName(base), filePlace(base).replace(/^~\//, ''), base, ...list.map((f) => f.path), ...list.map((f) => f.livePath ?? '')].map((s) => s.toLowerCase());
    if (full.includes(needle)) exact.push(base);
  }
  bases.sort();
  const one = bases.length === 1 ? bases[0] : exact.length === 1 ? exact[0] : null;
  const members = one ? (groups.get(one) ?? []).map((f) => f.path).sort() : [];
  return { needle, bases, one, variants: members.length > 1 || members.some((p) => p !== one) ? members : [] };
}

/** The changes to show: those with a file the search matches (all of them without a search). */
export function changesMatching(list: readonly TimelineEntry[], f: Pick<PathFilter, 'needle' | 'one' | 'variants'>): TimelineEntry[] {
  if (!f.needle) return [...list];
  const paths = f.one ? new Set([f.one, ...f.variants]) : null;
  return list.filter((e) => e.files.some((x) => (paths ? paths.has(x.path) : fileMatches(x, f.needle))));
}
