/**
 * The custom-profile editor's form model: text areas with one path (or key pattern) per line, converted
 * to and from the contract's ProfileDefinition, with client-side validation that mirrors the contract's
 * schema. The host validates again and its message is shown too.
 */
import type { ProfileDefinition, ProfilePath } from '../../shared/contract.js';

export interface ProfileForm {
  name: string;
  title: string;
  /** One path per line; a line starting with "{" is a per-platform object, e.g. {"darwin":"~/x","linux":"~/.x"}. */
  paths: string;
  /** One glob per line. */
  exclude: string;
  /** Keys apps rewrite (window frames, last-launch dates), one glob over key paths per line. */
  ignoreKeys?: string;
  /** Keys a person wants different per machine (`window.zoomLevel`), one glob per line. */
  localKeys?: string;
}

export type ProfileFormErrors = Partial<Record<keyof ProfileForm, string>>;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;
const PLATFORMS = ['default', 'darwin', 'linux', 'win32'] as const;

export function emptyProfileForm(): ProfileForm {
  return { name: '', title: '', paths: '', exclude: '', ignoreKeys: '', localKeys: '' };
}

export function pathToLine(p: ProfilePath): string {
  return typeof p === 'string' ? p : JSON.stringify(p);
}

export function formFromProfile(p: ProfileDefinition): ProfileForm {
  return {
    name: p.name,
    title: p.title ?? '',
    paths: p.paths.map(pathToLine).join('\n'),
    exclude: (p.exclude ?? []).join('\n'),
    ignoreKeys: (p.ignoreKeys ?? []).join('\n'),
    localKeys: (p.localKeys ?? []).join('\n'),
  };
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

function parsePathLine(line: string, n: number): { ok: true; path: ProfilePath } | { ok: false; error: string } {
  if (!line.startsWith('{')) {
    if (line.length > 4096) return { ok: false, error: `line ${n}: path is longer than 4096 characters` };
    if (line.includes('\0')) return { ok: false, error: `line ${n}: path contains a NUL character` };
    return { ok: true, path: line };
  }
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return { ok: false, error: `line ${n}: starts with "{" but is not valid JSON` };
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { ok: false, error: `line ${n}: expected an object like {"darwin":"~/x"}` };
  const entries = Object.entries(obj as Record<string, unknown>);
  if (!entries.length) return { ok: false, error: `line ${n}: needs at least one platform path` };
  for (const [k, v] of entries) {
    if (!(PLATFORMS as readonly string[]).includes(k)) return { ok: false, error: `line ${n}: unknown platform "${k}" (use ${PLATFORMS.join(', ')})` };
    if (typeof v !== 'string' || !v.trim()) return { ok: false, error: `line ${n}: "${k}" must be a non-empty path` };
  }
  return { ok: true, path: obj as ProfilePath };
}

/** The most globs each key list takes, and the longest glob (the contract's limits). */
export const KEY_LIMITS = { count: 500, length: 500 } as const;

/**
 * One list of key globs (one per line; `*` any characters, `?` one; everything else literal): the globs,
 * or what is wrong with them in words.
 */
export function parseKeyLines(text: string | undefined): { ok: true; globs: string[] } | { ok: false; error: string } {
  const raw = (text ?? '').split(/\r?\n/).map((l) => l.trim());
  const globs: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < raw.length; i++) {
    const g = raw[i];
    if (!g) continue;
    const n = i + 1;
    if (g.length > KEY_LIMITS.length) return { ok: false, error: `Line ${n}: a key pattern can be at most ${KEY_LIMITS.length} characters.` };
    if (/^\*+$/.test(g)) return { ok: false, error: `Line ${n}: “${g}” matches every key, so nothing in these files would sync. Name the keys, e.g. window.*` };
    const prev = seen.get(g);
    if (prev !== undefined) return { ok: false, error: `Line ${n} repeats line ${prev}: “${g}”.` };
    seen.set(g, n);
    globs.push(g);
  }
  if (globs.length > KEY_LIMITS.count) return { ok: false, error: `At most ${KEY_LIMITS.count} keys in one list.` };
  return { ok: true, globs };
}

/**
 * Validates the form. `existingNames` are the names already taken (checked only when `isNew`). What the
 * form has no field for (`app`, `applyWhen`) is kept from `original`, so editing never drops it.
 * Returns either the definition to send or the errors per field.
 */
export function validateProfileForm(
  form: ProfileForm,
  opts: { isNew: boolean; existingNames: readonly string[]; original?: ProfileDefinition | null },
): { ok: true; profile: ProfileDefinition } | { ok: false; errors: ProfileFormErrors } {
  const errors: ProfileFormErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = 'Give the profile a name.';
  else if (name.length > 64) errors.name = 'The name can be at most 64 characters.';
  else if (!NAME_RE.test(name)) errors.name = 'Use letters, digits, space, dot, underscore and dash only, starting with a letter or digit.';
  else if (opts.isNew && opts.existingNames.some((n) => n.toLowerCase() === name.toLowerCase())) errors.name = `A profile named "${name}" already exists.`;

  if (form.title.trim().length > 200) errors.title = 'The title can be at most 200 characters.';

  const paths: ProfilePath[] = [];
  const pathLines = lines(form.paths);
  if (!pathLines.length) errors.paths = 'Add at least one path, one per line.';
  else if (pathLines.length > 1000) errors.paths = 'At most 1000 paths.';
  else {
    for (let i = 0; i < pathLines.length; i++) {
      const r = parsePathLine(pathLines[i], i + 1);
      if (!r.ok) {
        errors.paths = r.error;
        break;
      }
      paths.push(r.path);
    }
  }

  const exclude = lines(form.exclude);
  if (exclude.length > 1000) errors.exclude = 'At most 1000 exclude patterns.';
  else {
    const long = exclude.findIndex((e) => e.length > 4096);
    if (long >= 0) errors.exclude = `line ${long + 1}: pattern is longer than 4096 characters`;
  }

  const ignore = parseKeyLines(form.ignoreKeys);
  if (!ignore.ok) errors.ignoreKeys = ignore.error;
  const local = parseKeyLines(form.localKeys);
  if (!local.ok) errors.localKeys = local.error;
  else if (ignore.ok) {
    const both = local.globs.find((g) => ignore.globs.includes(g));
    if (both) errors.localKeys = `“${both}” is an ignored key too. Keep it in one list: either way this machine keeps its own value.`;
  }

  if (Object.keys(errors).length || !ignore.ok || !local.ok) return { ok: false, errors };
  const title = form.title.trim();
  const o = opts.original;
  return {
    ok: true,
    profile: {
      name,
      ...(title ? { title } : {}),
      paths,
      exclude,
      ...(ignore.globs.length ? { ignoreKeys: ignore.globs } : {}),
      ...(local.globs.length ? { localKeys: local.globs } : {}),
      ...(o?.app !== undefined ? { app: o.app } : {}),
      ...(o?.applyWhen !== undefined ? { applyWhen: o.applyWhen } : {}),
    },
  };
}

/** True for a path the host reads from the home folder although it does not say so (no `~`, no root). */
function homeRelative(p: string): boolean {
  return !/^(~|\/|\\|[A-Za-z]:[\\/])/.test(p.trim());
}

/**
 * The paths written without `~` or a leading `/`, with what they mean: the host reads a relative path
 * from the home folder (`bin` is `~/bin`). Per-platform paths are looked at one by one.
 */
export function relativePathMeanings(paths: readonly ProfilePath[]): { path: string; means: string }[] {
  const out: { path: string; means: string }[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    for (const one of typeof p === 'string' ? [p] : Object.values(p)) {
      const t = (one ?? '').trim();
      if (!t || !homeRelative(t) || seen.has(t)) continue;
      seen.add(t);
      out.push({ path: t, means: `~/${t.replace(/^\.\//, '')}` });
    }
  }
  return out;
}

/** The same for the form's text (one path per line; lines that are not valid yet are skipped). */
export function relativePathMeaningsOf(text: string): { path: string; means: string }[] {
  const paths: ProfilePath[] = [];
  lines(text).forEach((line, i) => {
    const r = parsePathLine(line, i + 1);
    if (r.ok) paths.push(r.path);
  });
  return relativePathMeanings(paths);
}

/** "bin means ~/bin" / "bin means ~/bin, x means ~/x and 2 more" (the first three). */
export function relativePathWords(list: readonly { path: string; means: string }[]): string {
  const shown = list.slice(0, 3).map((m) => `${m.path} means ${m.means}`);
  const more = list.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
}
