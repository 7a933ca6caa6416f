/**
 * Profile definitions shared by every machine, stored in the sync repo at `.confsync/profiles.json`:
 *
 *     { "version": 1, "profiles": ProfileDefinition[] }
 *
 * The file may arrive from a remote, so reading never throws: a malformed or schema-violating file
 * gives a clear error (naming the file and the offending key) and the last good list read from that
 * repo in this process (or an empty list). Writing is canonical (sorted by name, stable key order,
 * pretty-printed, trailing newline) so that machines produce byte-identical files, and atomic (a temp
 * file in the same directory renamed over the old one).
 *
 * Effective profiles = the built-in catalog + the custom ones from this file; a custom profile with a
 * catalog name (compared case-insensitively) overrides the catalog entry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ProfileDefinition, describeZodError } from '../../../shared/contract.js';
import { loadCatalog } from './catalog.js';
import { validateProfileDefinition } from './paths.js';

export const PROFILES_FILE = '.confsync/profiles.json';
export const PROFILES_FILE_VERSION = 1;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

const ProfilesFile = z
  .object({
    version: z.literal(PROFILES_FILE_VERSION),
    profiles: z.array(ProfileDefinition).max(1000),
  })
  .strict();

const lastGood = new Map<string, ProfileDefinition[]>();

export function profilesFilePath(repoDir: string): string {
  return path.join(repoDir, ...PROFILES_FILE.split('/'));
}

export interface ReadProfilesResult {
  profiles: ProfileDefinition[];
  error: string | null;
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Checks a parsed list for duplicate names and unsafe paths; returns `key: message` or null. */
function checkProfiles(profiles: ProfileDefinition[]): string | null {
  const seen = new Map<string, number>();
  for (const [i, def] of profiles.entries()) {
    const lower = def.name.toLowerCase();
    const prev = seen.get(lower);
    if (prev !== undefined) return `profiles.${i}.name: duplicate profile name ${JSON.stringify(def.name)} (same as profiles.${prev}; names are compared case-insensitively)`;
    seen.set(lower, i);
    const err = validateProfileDefinition(def);
    if (err) {
      const key = err.entry !== undefined ? `profiles.${i}.paths.${err.entry}` : `profiles.${i}`;
      return `${key} (${JSON.stringify(def.name)}): ${err.message}`;
    }
  }
  return null;
}

/** Reads `.confsync/profiles.json`; never throws. A missing file is an empty list, not an error. */
export function readProfilesFile(repoDir: string): ReadProfilesResult {
  const cacheKey = path.resolve(repoDir);
  const fallback = (error: string): ReadProfilesResult => ({ profiles: structuredClone(lastGood.get(cacheKey) ?? []), error: `${PROFILES_FILE}: ${error}` });
  const file = profilesFilePath(repoDir);
  let text: string;
  try {
    // lstat: a symlink committed by a remote must not make us read some other file.
    const st = fs.lstatSync(file);
    if (st.isSymbolicLink()) return fallback('is a symbolic link (refused)');
    if (!st.isFile()) return fallback('is not a regular file');
    if (st.size > MAX_FILE_BYTES) return fallback(`is too large (${st.size} bytes)`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      lastGood.set(cacheKey, []);
      return { profiles: [], error: null };
    }
    return fallback(`cannot be read: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return fallback(`is not valid JSON (${(e as Error).message})`);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > PROFILES_FILE_VERSION) {
    return fallback(`was written by a newer ConfSync (format version ${version}; this one reads version ${PROFILES_FILE_VERSION})`);
  }
  const r = ProfilesFile.safeParse(data);
  if (!r.success) return fallback(describeZodError(r.error));
  const problem = checkProfiles(r.data.profiles);
  if (problem) return fallback(problem);
  lastGood.set(cacheKey, r.data.profiles);
  return { profiles: structuredClone(r.data.profiles), error: null };
}

/** Stable key order, no empty optional fields. */
function canonical(def: ProfileDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { name: def.name };
  if (def.title !== undefined) out.title = def.title;
  out.paths = def.paths.map((p) => {
    if (typeof p === 'string') return p;
    const o: Record<string, string> = {};
    for (const k of ['default', 'darwin', 'linux', 'win32'] as const) if (p[k] !== undefined) o[k] = p[k]!;
    return o;
  });
  if (def.exclude && def.exclude.length) out.exclude = [...def.exclude];
  if (def.ignoreKeys && def.ignoreKeys.length) out.ignoreKeys = [...def.ignoreKeys];
  if (def.localKeys && def.localKeys.length) out.localKeys = [...def.localKeys];
  if (def.app !== undefined) out.app = def.app;
  if (def.applyWhen !== undefined) out.applyWhen = def.applyWhen;
  return out;
}

/** The exact text writeProfilesFile writes. Throws on invalid definitions (a caller bug). */
export function serializeProfiles(profiles: z.input<typeof ProfileDefinition>[]): string {
  const parsed = z.array(ProfileDefinition).max(1000).safeParse(profiles);
  if (!parsed.success) throw new Error(`invalid profiles: ${describeZodError(parsed.error)}`);
  const sorted = [...parsed.data].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const problem = checkProfiles(sorted);
  if (problem) throw new Error(`invalid profiles: ${problem}`);
  return `${JSON.stringify({ version: PROFILES_FILE_VERSION, profiles: sorted.map(canonical) }, null, 2)}\n`;
}

/**
 * Writes `.confsync/profiles.json` atomically (temp file in the same directory, fsync, rename).
 * Returns false when the file already had exactly this content (nothing written).
 */
export function writeProfilesFile(repoDir: string, profiles: z.input<typeof ProfileDefinition>[]): boolean {
  const text = serializeProfiles(profiles);
  const file = profilesFilePath(repoDir);
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const cacheKey = path.resolve(repoDir);
  const parsed = (JSON.parse(text) as { profiles: unknown[] }).profiles.map((p) => ProfileDefinition.parse(p));
  try {
    if (fs.readFileSync(file, 'utf8') === text) {
      lastGood.set(cacheKey, parsed);
      return false;
    }
  } catch {
    // missing or unreadable: write it
  }
  const tmp = path.join(dir, `.profiles.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  lastGood.set(cacheKey, parsed);
  return true;
}

/** A new list with `def` added, or replacing the profile of the same name (case-insensitive). */
export function upsertProfile(profiles: ProfileDefinition[], def: ProfileDefinition): ProfileDefinition[] {
  const i = profiles.findIndex((p) => sameName(p.name, def.name));
  if (i < 0) return [...profiles, def];
  const out = [...profiles];
  out[i] = def;
  return out;
}

/** A new list without the profile of that name (case-insensitive). */
export function removeProfile(profiles: ProfileDefinition[], name: string): ProfileDefinition[] {
  return profiles.filter((p) => !sameName(p.name, name));
}

export type ProfileSource = 'catalog' | 'custom' | 'override';

/**
 * Catalog entries (in catalog order, a custom profile with the same name replacing its entry), then
 * the remaining custom profiles sorted by name.
 */
export function effectiveProfiles(custom: ProfileDefinition[], catalog: ProfileDefinition[] = loadCatalog()): ProfileDefinition[] {
  return effectiveProfilesWithSource(custom, catalog).map((e) => e.profile);
}

export function effectiveProfilesWithSource(
  custom: ProfileDefinition[],
  catalog: ProfileDefinition[] = loadCatalog(),
): { profile: ProfileDefinition; source: ProfileSource }[] {
  const used = new Set<ProfileDefinition>();
  const out: { profile: ProfileDefinition; source: ProfileSource }[] = [];
  for (const c of catalog) {
    const o = custom.find((p) => sameName(p.name, c.name));
    if (o) {
      used.add(o);
      out.push({ profile: o, source: 'override' });
    } else {
      out.push({ profile: c, source: 'catalog' });
    }
  }
  const rest = custom.filter((p) => !used.has(p)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const p of rest) out.push({ profile: p, source: 'custom' });
  return out;
}
