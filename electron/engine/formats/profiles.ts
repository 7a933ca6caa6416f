/**
 * The shared profile list, `.confsync/profiles.json` (`{ "version": 1, "profiles": [...] }`). Two
 * machines editing it merge profile by profile, by name (compared case-insensitively, as the profile
 * store does), so a joining machine's list and the remote's combine instead of conflicting as two arrays.
 * The merged file is written as the store writes it: sorted by name, 2-space indent, final newline.
 * A file not shaped like version 1 (a newer ConfSync's, or a hand-broken one) merges as plain JSON.
 */
import type { Codec, MergeOutcome } from './codec.js';
import { mergeJson, parseJson, validateJson } from './json.js';
import { isDict, merge3 } from './merge3.js';
import { identicalOutcome, plainDiffText } from './plain.js';

export const PROFILES_PATH = '.confsync/profiles.json';

type ProfileEntry = Record<string, unknown> & { name: string };

/** Profiles by lower-cased name; null when the value is not a version-1 list with unique string names. */
function byName(value: unknown): Record<string, ProfileEntry> | null {
  if (!isDict(value) || value.version !== 1 || !Array.isArray(value.profiles)) return null;
  const entries: [string, ProfileEntry][] = [];
  const seen = new Set<string>();
  for (const p of value.profiles as unknown[]) {
    if (!isDict(p) || typeof p.name !== 'string') return null;
    const key = p.name.toLowerCase();
    if (seen.has(key)) return null;
    seen.add(key);
    entries.push([key, p as ProfileEntry]);
  }
  return Object.fromEntries(entries);
}

function parseProfiles(buf: Buffer): Record<string, ProfileEntry> | null {
  const r = parseJson(buf);
  return r.ok ? byName(r.doc.value) : null;
}

export async function mergeProfiles(base: Buffer | null, mine: Buffer, theirs: Buffer): Promise<MergeOutcome> {
  const same = identicalOutcome(base, mine, theirs);
  if (same) return same;
  const m = parseProfiles(mine);
  const t = parseProfiles(theirs);
  const b = base === null ? null : parseProfiles(base);
  if (!m || !t || (base !== null && !b)) return mergeJson(base, mine, theirs);
  const r = merge3(b ?? undefined, m, t);
  if (r.conflicts.length > 0) {
    const names = [...new Set(r.conflicts.map((c) => c.path[0] ?? ''))].map((k) => m[k]?.name ?? t[k]?.name ?? k);
    return { clean: false, how: 'structured', details: names.map((n) => `profile ${n} was changed differently on two machines`) };
  }
  const merged = r.merged as Record<string, ProfileEntry>;
  // Code-unit order, as serializeProfiles sorts (so both machines write the same bytes).
  const profiles = Object.values(merged).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return { clean: true, content: Buffer.from(`${JSON.stringify({ version: 1, profiles }, null, 2)}\n`, 'utf8'), how: 'structured' };
}

export const profilesCodec: Codec = {
  id: 'profiles',
  matches: (repoPath) => repoPath === PROFILES_PATH,
  validate: validateJson,
  merge: mergeProfiles,
  diffText: plainDiffText,
  toRepo: (live) => live,
  toLive: (repo) => repo,
};
