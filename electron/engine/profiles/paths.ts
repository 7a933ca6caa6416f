/**
 * Path rules for profiles: where a profile's entries live on this machine, and where their files go in
 * the sync repo.
 *
 * ## Repo layout rule
 *
 * The repo path of a live file is
 *
 *     <profile name>/<repo key>/<path of the file relative to the entry's base>
 *
 * (just `<profile name>/<repo key>` when the entry is a single file). The *repo key* of an entry is
 * platform-NEUTRAL, so the same app's settings land on the same repo path on every OS:
 *
 * - a string entry: its base path relative to home, with `/` separators (`~/.zshrc` → `.zshrc`,
 *   `.config/nvim` → `.config/nvim`); an absolute path outside home becomes `_abs/<path without the
 *   leading slash>` (`/etc/hosts` → `_abs/etc/hosts`, `C:\tools\x` → `_abs/C/tools/x`);
 * - an object entry (`{ default?, darwin?, linux?, win32? }`): the key of the FIRST of `default`,
 *   `darwin`, `linux`, `win32` that is given, whatever platform we run on. So VS Code's
 *   `{ default: '~/.config/Code/User/settings.json', darwin: '~/Library/Application Support/Code/User/settings.json' }`
 *   is stored as `vscode/.config/Code/User/settings.json` on macOS, Linux and Windows alike;
 * - a glob entry: the key of its non-glob base directory (`~/.config/nvim/**\/*.lua` → `.config/nvim`,
 *   the glob `**\/*.lua` is then matched against paths relative to that base).
 *
 * ## Path syntax
 *
 * - `~` and `~/…` are the home directory; a relative path is relative to home; `~user/…` is refused.
 * - Separators are `/`; a backslash is accepted (as a separator) only in a `win32` path.
 * - Glob syntax: `*`, `**`, `?`, `[…]`, `{a,b}`. A path segment is a glob when it holds one of
 *   `* ? [ ] { }`. `( ) ! + @ |` are always literal (no extglobs), so `~/Foo (old)/x` is a plain path.
 * - Refused (ProfileError naming the profile and the entry): `..` segments, NUL, `.git` segments,
 *   an entry that is home itself or a filesystem root, an empty key, a home-relative key starting
 *   with `_abs` (reserved for absolute paths).
 *
 * ## Excludes
 *
 * Each `exclude` pattern becomes one or more absolute globs (ResolvedProfile.exclude):
 * - `~/…` or absolute: as written (home expanded);
 * - no `/` (e.g. `id_*`, `*.pem`): a name matched at any depth inside an entry;
 * - relative with a `/` (e.g. `Spoons/cache`, `runtime/grammars`): relative to EACH entry's base,
 *   which keeps per-app excludes platform-neutral.
 * A file is excluded when it, or any directory between it and its entry's base (inclusive), matches.
 * Exclude matching is case-insensitive (excluding too much is the safe side).
 */
import path from 'node:path';
import picomatch from 'picomatch';
import type { ProfilePath } from '../../../shared/contract.js';

export class ProfileError extends Error {
  constructor(
    message: string,
    readonly profile?: string,
    readonly entry?: number,
  ) {
    super(message);
    this.name = 'ProfileError';
  }
}

export type Platform = NodeJS.Platform;

export interface ResolvedEntry {
  /** Repo key, posix, platform-neutral (see the layout rule above). */
  key: string;
  /** Live absolute base path on this machine. */
  abs: string;
  /** Picomatch pattern relative to `abs` when the entry had glob chars (e.g. `**\/*.lua`), else null. */
  glob: string | null;
}

/** Immutable (frozen by resolveProfile). */
export interface ResolvedProfile {
  name: string;
  title: string;
  entries: ResolvedEntry[];
  /** Absolute globs, `/` separators (see "Excludes" above). */
  exclude: string[];
  /** Entries with no path on this platform (their key-source path, for display). */
  unresolved: string[];
  home: string;
  platform: Platform;
}

/** Input accepted by resolveProfile: a ProfileDefinition, `exclude` optional. */
export interface ProfileInput {
  name: string;
  title?: string;
  paths: ProfilePath[];
  exclude?: string[];
}

// ---------------------------------------------------------------------------------------------
// small helpers

const PLATFORM_KEYS = ['default', 'darwin', 'linux', 'win32'] as const;
const GLOB_CHARS = /[*?[\]{}]/;
const DRIVE = /^[A-Za-z]:(?:[\\/]|$)/;

class PathSyntaxError extends Error {}

function flavor(platform: Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Home directory looks like a Windows path. */
function isWinHome(home: string): boolean {
  return DRIVE.test(home) || home.startsWith('\\\\');
}

/**
 * Forward-slash form of an absolute path, no trailing slash (except for a root). Backslashes are
 * separators only for Windows paths (`win`); on POSIX they are ordinary file-name characters.
 */
function fwd(p: string, win: boolean): string {
  let s = win ? p.replace(/\\/g, '/') : p;
  while (s.length > 1 && s.endsWith('/') && !/^[A-Za-z]:\/$/.test(s)) s = s.slice(0, -1);
  return s;
}

/** Escapes every picomatch special char so a literal path can prefix a glob. */
export function escapeGlobLiteral(s: string): string {
  return s.replace(/[\\*?[\]{}()!+@|^$]/g, (c) => `\\${c}`);
}

/** Turns a glob written in our syntax into a picomatch pattern: `( ) ! + @ |` become literal. */
function toPicomatch(glob: string): string {
  return glob.replace(/[()!+@|]/g, (c) => `\\${c}`);
}

const PM_OPTS = { dot: true, nonegate: true, windows: false } as const;
const globCache = new Map<string, (s: string) => boolean>();
function globMatcher(glob: string): (s: string) => boolean {
  let m = globCache.get(glob);
  if (!m) {
    m = picomatch(glob, PM_OPTS);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(glob, m);
  }
  return m;
}

/** `~` / `~/x` / `~\x` → under home; anything else unchanged. No normalization. */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) {
    const sep = isWinHome(home) ? '\\' : '/';
    const h = home.replace(/[\\/]+$/, '');
    return h + sep + p.slice(2);
  }
  return p;
}

/** The path of an entry on `platform`: the string itself, or the platform key, else `default`, else null. */
export function platformPath(p: ProfilePath, platform: Platform): string | null {
  return platformField(p, platform)?.raw ?? null;
}

interface ParsedPath {
  anchor: 'home' | 'abs';
  /** For anchor 'abs': '/' or 'C:/' (drive upper-cased). */
  root: string;
  /** Literal base segments. */
  base: string[];
  /** Glob segments joined by '/', or null. */
  glob: string | null;
  win: boolean;
}

/**
 * Parses one path as written in a profile. `backslash`: backslashes are separators (a `win32` field);
 * `win`: Windows semantics (absolute paths need a drive letter, no `:` inside segments).
 */
function parsePath(raw: string, opts: { backslash: boolean; win: boolean }): ParsedPath {
  let win = opts.win;
  if (raw.includes('\0')) throw new PathSyntaxError('contains a NUL character');
  if (!opts.backslash && raw.includes('\\')) throw new PathSyntaxError('contains a backslash (use "/" as separator)');
  let s = opts.backslash ? raw.replace(/\\/g, '/') : raw;
  let anchor: 'home' | 'abs' = 'home';
  let root = '';
  if (s === '~' || s.startsWith('~/')) {
    s = s.slice(1);
  } else if (s.startsWith('~')) {
    throw new PathSyntaxError('"~user" paths are not supported (use "~/…")');
  } else if (/^[A-Za-z]:(\/|$)/.test(s)) {
    anchor = 'abs';
    root = `${s[0].toUpperCase()}:/`;
    s = s.slice(2);
    win = true;
  } else if (/^[A-Za-z]:/.test(s)) {
    throw new PathSyntaxError('drive-relative paths ("C:foo") are not supported');
  } else if (s.startsWith('//')) {
    throw new PathSyntaxError('network (UNC) paths are not supported');
  } else if (s.startsWith('/')) {
    if (win) throw new PathSyntaxError('an absolute Windows path needs a drive letter');
    anchor = 'abs';
    root = '/';
  }
  const segs = s.split('/').filter((x) => x !== '' && x !== '.');
  for (const seg of segs) {
    if (seg === '..') throw new PathSyntaxError('contains ".." segments');
    if (seg.toLowerCase() === '.git') throw new PathSyntaxError('contains a ".git" segment (git metadata cannot be synced)');
    if (win && seg.includes(':')) throw new PathSyntaxError('contains ":" inside a Windows path segment');
  }
  const gi = segs.findIndex((x) => GLOB_CHARS.test(x));
  const base = gi < 0 ? segs : segs.slice(0, gi);
  const glob = gi < 0 ? null : toPicomatch(segs.slice(gi).join('/'));
  return { anchor, root, base, glob, win };
}

/** Relative segments of `abs` inside `home` (both forward-slash), or null if outside. */
function relInside(parentFwd: string, childFwd: string, nocase: boolean): string | null {
  const a = nocase ? parentFwd.toLowerCase() : parentFwd;
  const b = nocase ? childFwd.toLowerCase() : childFwd;
  if (a === b) return '';
  const prefix = a.endsWith('/') ? a : `${a}/`;
  if (b.startsWith(prefix)) return childFwd.slice(prefix.length);
  return null;
}

function keyOfParsed(pp: ParsedPath, home: string): string {
  if (pp.anchor === 'home') {
    const key = pp.base.join('/');
    if (key === '') throw new PathSyntaxError('its repo key would be empty (the path is home itself, or a glob directly in home)');
    if (/^_abs(\/|$)/i.test(key)) throw new PathSyntaxError('"_abs" is reserved for absolute paths outside home');
    return key;
  }
  const absFwd = pp.root + pp.base.join('/');
  const homeFwd = fwd(home, isWinHome(home));
  const rel = relInside(homeFwd, absFwd, pp.win || isWinHome(home));
  if (rel !== null) {
    if (rel === '') throw new PathSyntaxError('its repo key would be empty (the path is home itself, or a glob directly in home)');
    if (/^_abs(\/|$)/i.test(rel)) throw new PathSyntaxError('"_abs" is reserved for absolute paths outside home');
    return rel;
  }
  if (pp.base.length === 0) throw new PathSyntaxError('its repo key would be empty (the path is a filesystem root)');
  const drive = pp.root === '/' ? [] : [pp.root[0]];
  return ['_abs', ...drive, ...pp.base].join('/');
}

/** The key-source of an entry: the first of default, darwin, linux, win32 (or the string itself). */
function keySource(p: ProfilePath): { raw: string; win: boolean } | null {
  if (typeof p === 'string') return { raw: p, win: false };
  for (const k of PLATFORM_KEYS) {
    const v = p[k];
    if (typeof v === 'string' && v.length > 0) return { raw: v, win: k === 'win32' };
  }
  return null;
}

/** Which field of an entry applies on `platform` (null: none). */
function platformField(p: ProfilePath, platform: Platform): { raw: string; field: string } | null {
  if (typeof p === 'string') return { raw: p, field: 'string' };
  const own = (p as Record<string, string | undefined>)[platform];
  if (typeof own === 'string' && own.length > 0) return { raw: own, field: platform };
  if (typeof p.default === 'string' && p.default.length > 0) return { raw: p.default, field: 'default' };
  return null;
}

/**
 * The platform-neutral repo key of a path entry (see the layout rule at the top of this file).
 * Throws ProfileError when the path is not acceptable.
 */
export function repoKeyOf(p: ProfilePath, home: string): string {
  const src = keySource(p);
  if (!src) throw new ProfileError('entry has no path for any platform');
  try {
    return keyOfParsed(parsePath(src.raw, { backslash: src.win, win: src.win }), home);
  } catch (e) {
    if (e instanceof PathSyntaxError) throw new ProfileError(`path ${JSON.stringify(src.raw)} ${e.message}`);
    throw e;
  }
}

function describeEntry(p: ProfilePath): string {
  if (typeof p === 'string') return p;
  const src = keySource(p);
  return src ? src.raw : JSON.stringify(p);
}

function isRootPath(P: path.PlatformPath, abs: string): boolean {
  return P.parse(abs).root === abs || P.dirname(abs) === abs;
}

// ---------------------------------------------------------------------------------------------
// resolving

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;

/**
 * Resolves a profile definition for one machine. Throws ProfileError (naming the profile and the
 * entry) for unsafe or ambiguous entries.
 */
export function resolveProfile(def: ProfileInput, ctx: { home: string; platform: Platform }): ResolvedProfile {
  const { platform } = ctx;
  const P = flavor(platform);
  const name = def.name;
  if (typeof name !== 'string' || !SAFE_NAME.test(name) || name.length > 64 || /[. ]$/.test(name)) {
    throw new ProfileError(`profile name ${JSON.stringify(name)} is not allowed (letters, digits, space, dot, underscore, dash; not ending in dot or space)`, String(name));
  }
  const homeRaw = ctx.home;
  if (!homeRaw || !P.isAbsolute(homeRaw)) throw new ProfileError(`profile "${name}": home ${JSON.stringify(homeRaw)} is not an absolute path`, name);
  const home = P.resolve(homeRaw);
  const win = platform === 'win32';
  const homeFwd = fwd(home, win);
  const nocase = platform === 'win32';

  const fail = (i: number, p: ProfilePath, msg: string): never => {
    throw new ProfileError(`profile "${name}", entry ${i + 1} (${JSON.stringify(describeEntry(p))}): ${msg}`, name, i);
  };

  const entries: ResolvedEntry[] = [];
  const unresolved: string[] = [];
  def.paths.forEach((p, i) => {
    let key: string;
    const src = keySource(p);
    if (!src) return fail(i, p, 'has no path for any platform');
    try {
      key = keyOfParsed(parsePath(src.raw, { backslash: src.win, win: src.win }), home);
    } catch (e) {
      if (e instanceof PathSyntaxError) return fail(i, p, e.message);
      throw e;
    }
    const field = platformField(p, platform);
    if (field === null) {
      unresolved.push(src.raw);
      return;
    }
    const own = field.raw;
    if (platform === 'win32' && own.startsWith('/') && !own.startsWith('//')) {
      // A POSIX absolute path (`/etc/x`) means nothing on Windows.
      unresolved.push(src.raw);
      return;
    }
    let pp: ParsedPath;
    try {
      pp = parsePath(own, { backslash: field.field === 'win32', win: platform === 'win32' });
    } catch (e) {
      if (e instanceof PathSyntaxError) return fail(i, p, `path ${JSON.stringify(own)} ${e.message}`);
      throw e;
    }
    if (pp.anchor === 'abs' && pp.root !== '/' && platform !== 'win32') {
      // A Windows drive path means nothing here.
      unresolved.push(src.raw);
      return;
    }
    let abs: string;
    if (pp.anchor === 'home') {
      abs = pp.base.length ? P.join(home, ...pp.base) : home;
    } else {
      abs = pp.base.length ? P.join(pp.root, ...pp.base) : P.normalize(pp.root);
    }
    abs = P.normalize(abs);
    if (isRootPath(P, abs)) return fail(i, p, 'resolves to the filesystem root');
    if (relInside(fwd(abs, win), homeFwd, nocase) !== null) {
      return fail(i, p, pp.glob ? 'is a glob directly in the home directory (give it a subdirectory)' : 'resolves to the home directory (or one of its parents)');
    }
    entries.push({ key, abs, glob: pp.glob });
  });

  // Overlapping entries must agree on the layout, or a file would have two repo paths.
  for (let a = 0; a < entries.length; a++) {
    for (let b = 0; b < entries.length; b++) {
      if (a === b) continue;
      const A = entries[a];
      const B = entries[b];
      const absRel = relInside(fwd(A.abs, win), fwd(B.abs, win), nocase);
      const keyRel = relInside(A.key, B.key, false);
      const ok =
        (absRel === null && keyRel === null) || (absRel !== null && keyRel !== null && (nocase ? absRel.toLowerCase() === keyRel.toLowerCase() : absRel === keyRel));
      if (!ok) {
        throw new ProfileError(
          `profile "${name}": entries ${JSON.stringify(A.key)} and ${JSON.stringify(B.key)} overlap on this machine but map to different repo paths`,
          name,
        );
      }
    }
  }

  const exclude: string[] = [];
  for (const [i, x] of (def.exclude ?? []).entries()) {
    if (x.includes('\0')) throw new ProfileError(`profile "${name}", exclude ${i + 1}: contains a NUL character`, name);
    if (x.includes('\\')) throw new ProfileError(`profile "${name}", exclude ${i + 1} (${JSON.stringify(x)}): contains a backslash (use "/")`, name);
    let pat = x.replace(/\/+$/, '');
    if (pat === '' || pat === '~') throw new ProfileError(`profile "${name}", exclude ${i + 1} (${JSON.stringify(x)}): would exclude everything`, name);
    if (pat.startsWith('~/')) {
      exclude.push(`${escapeGlobLiteral(homeFwd)}/${toPicomatch(pat.slice(2))}`);
    } else if (pat.startsWith('/') || /^[A-Za-z]:\//.test(pat)) {
      exclude.push(toPicomatch(pat));
    } else if (!pat.includes('/')) {
      exclude.push(`**/${toPicomatch(pat)}`);
    } else {
      pat = pat.replace(/^(\.\/)+/, '');
      const bases = new Set(entries.map((e) => fwd(e.abs, win)));
      for (const b of bases) exclude.push(`${escapeGlobLiteral(b)}/${toPicomatch(pat)}`);
    }
  }

  // Frozen: mapping caches are keyed by the object, so it must not change after resolving.
  return Object.freeze({
    name,
    title: def.title ?? name,
    entries: Object.freeze(entries.map((e) => Object.freeze(e))) as ResolvedEntry[],
    exclude: Object.freeze([...new Set(exclude)]) as string[],
    unresolved: Object.freeze(unresolved) as string[],
    home,
    platform,
  });
}

/** True when one entry of the profile lies inside (or on) another: a file may then belong to both. */
export function hasOverlappingEntries(profile: ResolvedProfile): boolean {
  const win = profile.platform === 'win32';
  const abs = profile.entries.map((e) => fwd(e.abs, win));
  return abs.some((a, i) => abs.some((b, j) => i !== j && relInside(a, b, win) !== null));
}

// ---------------------------------------------------------------------------------------------
// mapping live ↔ repo

const excludeCache = new WeakMap<ResolvedProfile, (s: string) => boolean>();
function excludeMatcher(profile: ResolvedProfile): (s: string) => boolean {
  let m = excludeCache.get(profile);
  if (!m) {
    m = profile.exclude.length ? picomatch(profile.exclude, { ...PM_OPTS, nocase: true }) : () => false;
    excludeCache.set(profile, m);
  }
  return m;
}

const orderCache = new WeakMap<ResolvedProfile, { byAbs: ResolvedEntry[]; byKey: ResolvedEntry[] }>();
function ordered(profile: ResolvedProfile) {
  let o = orderCache.get(profile);
  if (!o) {
    o = {
      byAbs: [...profile.entries].sort((a, b) => b.abs.length - a.abs.length),
      byKey: [...profile.entries].sort((a, b) => b.key.length - a.key.length),
    };
    orderCache.set(profile, o);
  }
  return o;
}

/** True when `absPath` (or a directory between it and the entry base) is excluded. */
export function isExcluded(profile: ResolvedProfile, entry: ResolvedEntry, absPath: string): boolean {
  if (!profile.exclude.length) return false;
  const m = excludeMatcher(profile);
  const win = profile.platform === 'win32';
  const baseFwd = fwd(entry.abs, win);
  const fileFwd = fwd(absPath, win);
  if (m(baseFwd)) return true;
  const rel = relInside(baseFwd, fileFwd, profile.platform === 'win32');
  if (rel === null || rel === '') return false;
  let cur = baseFwd;
  for (const seg of rel.split('/')) {
    cur = `${cur}/${seg}`;
    if (m(cur)) return true;
  }
  return false;
}

const GIT_DIR_SKIP = 'inside a .git directory (git metadata cannot be synced)';
const BACKSLASH_SKIP = 'file name contains a backslash';

export type LiveMapping = { repo: string; entry: ResolvedEntry } | { skip: string; entry: ResolvedEntry } | null;

/**
 * Detailed live → repo mapping: `{repo}` when the file belongs to the profile, `{skip}` when it is
 * inside an entry but cannot be stored (the reason is for the user), null when it is not in the
 * profile (outside every entry, excluded, or not matching the entry's glob).
 */
export function mapLivePath(profile: ResolvedProfile, absPath: string): LiveMapping {
  const P = flavor(profile.platform);
  if (typeof absPath !== 'string' || absPath.includes('\0') || !P.isAbsolute(absPath)) return null;
  const norm = P.normalize(absPath);
  const win = profile.platform === 'win32';
  const normFwd = fwd(norm, win);
  for (const e of ordered(profile).byAbs) {
    const rel = relInside(fwd(e.abs, win), normFwd, win);
    if (rel === null) continue;
    if (e.glob) {
      if (rel === '' || !globMatcher(e.glob)(rel)) continue;
    }
    if (isExcluded(profile, e, norm)) return null;
    if (rel !== '') {
      for (const seg of rel.split('/')) {
        if (seg.toLowerCase() === '.git') return { skip: GIT_DIR_SKIP, entry: e };
        if (profile.platform !== 'win32' && seg.includes('\\')) return { skip: BACKSLASH_SKIP, entry: e };
      }
    }
    return { repo: `${profile.name}/${e.key}${rel ? `/${rel}` : ''}`, entry: e };
  }
  return null;
}

/**
 * mapLivePath for the files of one folder at a time (a scan maps 100,000 files in a few thousand
 * folders): what depends only on the folder (which entries hold it, its excluded and unstorable
 * segments) is worked out once, and each name costs a glob test and a string. Always the same answer
 * as `mapLivePath(profile, join(dir, name))` (a property test holds them equal); a name an entry
 * points at directly, a folder that is not a plain absolute path, and Windows profiles take
 * mapLivePath itself.
 */
export function folderMapper(profile: ResolvedProfile): (dir: string) => (name: string) => LiveMapping {
  const P = flavor(profile.platform);
  const generic = (dir: string) => (name: string) => mapLivePath(profile, P.join(dir, name));
  if (profile.platform === 'win32') return generic;
  const byAbs = ordered(profile).byAbs;
  const excluding = profile.exclude.length > 0;
  const m = excludeMatcher(profile);
  return (dir) => {
    if (typeof dir !== 'string' || dir.includes('\0') || !P.isAbsolute(dir) || dir === '/' || dir.endsWith('/') || P.normalize(dir) !== dir) return generic(dir);
    // Names of entries directly in this folder: an entry there may take the file (mapLivePath decides).
    const direct = new Set<string>();
    const plan: { e: ResolvedEntry; relDir: string; excluded: boolean; skip: string | null }[] = [];
    for (const e of byAbs) {
      if (P.dirname(e.abs) === dir) direct.add(P.basename(e.abs));
      const relDir = relInside(e.abs, dir, false);
      if (relDir === null) continue;
      const segs = relDir === '' ? [] : relDir.split('/');
      let excluded = excluding && m(e.abs);
      let skip: string | null = null;
      let cur = e.abs;
      for (const seg of segs) {
        cur = `${cur}/${seg}`;
        if (excluding && !excluded && m(cur)) excluded = true;
        if (skip === null && seg.toLowerCase() === '.git') skip = GIT_DIR_SKIP;
        if (skip === null && seg.includes('\\')) skip = BACKSLASH_SKIP;
      }
      plan.push({ e, relDir, excluded, skip });
    }
    return (name) => {
      if (direct.has(name) || name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return mapLivePath(profile, P.join(dir, name));
      for (const p of plan) {
        const rel = p.relDir ? `${p.relDir}/${name}` : name;
        if (p.e.glob && !globMatcher(p.e.glob)(rel)) continue;
        if (p.excluded || (excluding && m(`${dir}/${name}`))) return null;
        if (p.skip) return { skip: p.skip, entry: p.e };
        if (name.toLowerCase() === '.git') return { skip: GIT_DIR_SKIP, entry: p.e };
        if (name.includes('\\')) return { skip: BACKSLASH_SKIP, entry: p.e };
        return { repo: `${profile.name}/${p.e.key}/${rel}`, entry: p.e };
      }
      return null;
    };
  };
}

/** Repo-relative posix path (`<name>/<key>/<rel>`) of a live file, or null when it is not in the profile. */
export function liveToRepo(profile: ResolvedProfile, absPath: string): string | null {
  const m = mapLivePath(profile, absPath);
  return m && 'repo' in m ? m.repo : null;
}

const WIN_BAD = /[<>:"|?*\x00-\x1f]/;

/**
 * Live path for a repo path, or null when it does not belong to this profile or would resolve outside
 * the entry's base. Repo content may come from a remote: this refuses `..`, `.`, empty segments,
 * absolute paths, drive letters, backslashes, NUL, `.git` segments, other profiles' paths, excluded
 * files, and (on Windows) reserved characters and trailing dots/spaces.
 */
export function repoToLive(profile: ResolvedProfile, repoPath: string): string | null {
  if (typeof repoPath !== 'string' || repoPath.length === 0 || repoPath.length > 4096) return null;
  if (repoPath.includes('\0') || repoPath.includes('\\')) return null;
  if (repoPath.startsWith('/') || /^[A-Za-z]:/.test(repoPath)) return null;
  const segs = repoPath.split('/');
  for (const s of segs) {
    if (s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git') return null;
    if (profile.platform === 'win32' && (WIN_BAD.test(s) || /[. ]$/.test(s))) return null;
  }
  if (segs[0] !== profile.name || segs.length < 2) return null;
  const rest = segs.slice(1).join('/');
  const P = flavor(profile.platform);
  for (const e of ordered(profile).byKey) {
    let rel: string;
    if (rest === e.key) rel = '';
    else if (rest.startsWith(`${e.key}/`)) rel = rest.slice(e.key.length + 1);
    else continue;
    const live = rel ? P.join(e.abs, ...rel.split('/')) : e.abs;
    const back = P.relative(e.abs, live);
    if (back.startsWith('..') || P.isAbsolute(back)) continue;
    if (liveToRepo(profile, live) === repoPath) return live;
  }
  return null;
}

/**
 * The profile a repo path belongs to, by its first segment (the profile name), or null. Callers still
 * need repoToLive to get (and validate) the live path; a repo file under a known profile that no entry
 * maps on this machine gives a profile here but null from repoToLive.
 */
export function findProfileForRepoPath(profiles: ResolvedProfile[], repoPath: string): ResolvedProfile | null {
  if (typeof repoPath !== 'string') return null;
  const first = repoPath.split('/')[0];
  return profiles.find((p) => p.name === first) ?? null;
}

/** First profile (in order) that maps a live path, with its repo path. */
export function findProfileForLivePath(profiles: ResolvedProfile[], absPath: string): { profile: ResolvedProfile; repo: string } | null {
  for (const profile of profiles) {
    const repo = liveToRepo(profile, absPath);
    if (repo) return { profile, repo };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// machine-independent validation (for definitions that arrive from the repo)

/**
 * Checks what can be checked without knowing the machine: the name, every path of every platform
 * (`..`, NUL, backslashes outside `win32`, `.git`, `~user`, empty key / home itself / a root, `_abs`)
 * and the excludes. Returns null when fine, else a ProfileError whose `entry` is the path index (or
 * undefined for the name / excludes) and whose message does NOT repeat the profile name.
 * resolveProfile does the machine-specific rest (e.g. a parent of this machine's home).
 */
export function validateProfileDefinition(def: ProfileInput): ProfileError | null {
  const name = def.name;
  if (typeof name !== 'string' || !SAFE_NAME.test(name) || name.length > 64 || /[. ]$/.test(name)) {
    return new ProfileError('name is not allowed (letters, digits, space, dot, underscore, dash; not ending in dot or space)', String(name));
  }
  const dummyHome = '/nonexistent-confsync-home';
  for (const [i, p] of def.paths.entries()) {
    const fields: [string, string][] = typeof p === 'string' ? [['string', p]] : (Object.entries(p).filter(([, v]) => typeof v === 'string') as [string, string][]);
    if (fields.length === 0) return new ProfileError('has no path for any platform', name, i);
    for (const [field, raw] of fields) {
      try {
        const win = field === 'win32';
        const pp = parsePath(raw, { backslash: win, win });
        keyOfParsed(pp, dummyHome);
      } catch (e) {
        if (e instanceof PathSyntaxError) return new ProfileError(`path ${JSON.stringify(raw)} ${e.message}`, name, i);
        throw e;
      }
    }
  }
  for (const [i, x] of (def.exclude ?? []).entries()) {
    if (x.includes('\0')) return new ProfileError(`exclude ${i + 1} contains a NUL character`, name);
    if (x.includes('\\')) return new ProfileError(`exclude ${i + 1} (${JSON.stringify(x)}) contains a backslash (use "/")`, name);
    const pat = x.replace(/\/+$/, '');
    if (pat === '' || pat === '~') return new ProfileError(`exclude ${i + 1} (${JSON.stringify(x)}) would exclude everything`, name);
  }
  return null;
}
