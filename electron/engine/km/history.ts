/**
 * One macro's history and restore. Every macro has its own exported file in the sync repo
 * (`keyboard-maestro-macros/<group>/<name> (<UID>).kmmacros`, km/export.ts); its versions are the
 * commits that touched a file ending in ` (<UID>).kmmacros`, whatever the macro was called or which
 * group it was in at the time. Restoring puts one version back into Keyboard Maestro through its own
 * scripting (km/scripting.ts: the macro with that UID is deleted, then the version imported), then
 * re-reads the library until Keyboard Maestro shows it. When Keyboard Maestro cannot be scripted the
 * version is saved as a `.kmmacros` file to import by hand, and the reason and its fix are returned.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { GitRunner } from '../git/runner.js';
import { BlobReader } from '../git/objects.js';
import { resolveCommit, revProblem } from '../git/rev.js';
import { hashWithout } from './canonical.js';
import { KMMACROS_EXT } from './export.js';
import { macroFileSuffix, safeName } from './filenames.js';
import { decodePlist, errText } from './plist-codec.js';
import { normaliseLibrary, parseLibrary } from './reader.js';
import { KmScriptingError, type KmScripting } from './scripting.js';
import { isPlistDict, type KmMacroRecord } from './types.js';

/** Folder of the exported macros in the sync repo. */
export const KM_EXPORT_DIR = 'keyboard-maestro-macros';
/** A macro UID as people pass it: what Keyboard Maestro uses (a UUID), nothing a path could abuse. */
export const MACRO_UID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,79}$/;

export interface KmMacroVersionEntry {
  rev: string;
  at: number;
  host: string;
  message: string;
  /** The macro's name and group in this version (for a deletion: in the version before). */
  name: string;
  group: string;
  /** This commit removed the macro. */
  deleted: boolean;
  /** The export file in this version (for a deletion: the removed one). */
  path: string;
}

/** A problem with what was asked (unknown UID or revision, a deleted version): words naming it. */
export class KmHistoryError extends Error {
  override name = 'KmHistoryError';
}

export function checkMacroUid(uid: string): string {
  if (!MACRO_UID_RE.test(uid)) throw new KmHistoryError(`"${uid.slice(0, 100)}" is not a macro UID (letters, digits and dashes, as \`confsync km macros\` lists them)`);
  return uid;
}

/** The macro dict and its group's name in a `.kmmacros` file, or null when it is not one. */
export function macroInFile(content: Buffer, uid?: string): { macro: KmMacroRecord; group: string } | null {
  try {
    const { value, format } = decodePlist(content);
    if (!Array.isArray(value) || !value.every((g) => isPlistDict(g))) return null;
    const lib = normaliseLibrary({ MacroGroups: value }, format);
    const m = uid ? lib.macros.get(uid) : lib.macros.values().next().value;
    return m ? { macro: m, group: m.groupName } : null;
  } catch {
    return null;
  }
}

/** Every version of one macro's exported file, newest first (commits that did not change it are left out). */
export async function macroHistory(git: GitRunner, uid: string, limit = 200): Promise<KmMacroVersionEntry[]> {
  checkMacroUid(uid);
  const suffix = macroFileSuffix(uid);
  let out: string;
  try {
    out = await git.raw(
      [
        'log',
        `-n${limit}`,
        '--no-merges',
        '--no-renames',
        '--raw',
        '--no-abbrev',
        '-z',
        '--format=%x1e%H%x1f%ct%x1f%an%x1f%(trailers:key=ConfSync-Host,valueonly,separator=%x2C)%x1f%s',
        '--',
        `:(glob)${KM_EXPORT_DIR}/*/*${suffix}`,
      ],
      { readonly: true },
    );
  } catch {
    return []; // an empty repo (no commit yet)
  }
  interface Row {
    rev: string;
    at: number;
    host: string;
    message: string;
    added: { path: string; oid: string } | null;
    removed: { path: string; oid: string } | null;
  }
  const rows: Row[] = [];
  for (const rec of out.split('\x1e')) {
    if (!rec.trim()) continue;
    const end = rec.indexOf('\0');
    const header = end < 0 ? rec : rec.slice(0, end);
    const [rev, ct, author, trailer, subject] = header.split('\x1f');
    const row: Row = { rev, at: Number(ct) * 1000, host: (trailer || '').trim() || author, message: (subject ?? '').trim(), added: null, removed: null };
    const fields = end < 0 ? [] : rec.slice(end + 1).replace(/^\n/, '').split('\0');
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const meta = fields[i].replace(/^:/, '').split(' ');
      const path = fields[i + 1];
      if (!path.endsWith(suffix) || meta.length < 5) continue;
      const [, , oldOid, newOid, status] = meta;
      if (status.startsWith('D')) row.removed = { path, oid: oldOid };
      else row.added = { path, oid: newOid };
    }
    if (row.added || row.removed) rows.push(row);
  }
  // One `cat-file --batch` reads every version's name and group.
  const reader = new BlobReader(git);
  const names = new Map<string, { name: string; group: string }>();
  try {
    for (const r of rows) {
      const v = r.added ?? r.removed!;
      if (names.has(v.oid)) continue;
      const found = macroInFile(await reader.read(v.oid).catch(() => Buffer.alloc(0)), uid);
      names.set(v.oid, found ? { name: found.macro.name, group: found.group } : { name: nameFromPath(v.path, suffix), group: v.path.split('/')[1] ?? '' });
    }
  } finally {
    await reader.close();
  }
  return rows.map((r) => {
    const v = r.added ?? r.removed!;
    const n = names.get(v.oid)!;
    return { rev: r.rev, at: r.at, host: r.host, message: r.message, name: n.name, group: n.group, deleted: !r.added, path: v.path };
  });
}

function nameFromPath(path: string, suffix: string): string {
  const file = path.split('/').pop() ?? path;
  return file.endsWith(suffix) ? file.slice(0, -suffix.length) : file;
}

/**
 * The content of one version of a macro (`rev` a revision as typed; null: the newest version that
 * exists, the one before its deletion when it was deleted). Throws KmHistoryError naming the problem.
 */
export async function macroVersion(git: GitRunner, uid: string, rev: string | null): Promise<{ content: Buffer; entry: KmMacroVersionEntry }> {
  checkMacroUid(uid);
  const versions = await macroHistory(git, uid, 1000);
  if (versions.length === 0) throw new KmHistoryError(`no exported macro with UID ${uid} in the sync repo (macros are exported when km.exportMacros is on)`);
  let entry: KmMacroVersionEntry | undefined;
  if (rev === null) entry = versions.find((v) => !v.deleted);
  else {
    const r = await resolveCommit(git, rev);
    if (r.kind !== 'ok') throw new KmHistoryError(`${revProblem(r)} (\`confsync km history ${uid}\` lists the versions of this macro)`);
    entry = versions.find((v) => v.rev === r.oid);
    if (!entry) throw new KmHistoryError(`macro ${uid} did not change in ${r.oid.slice(0, 12)}; choose one of its versions (\`confsync km history ${uid}\`)`);
    if (entry.deleted) throw new KmHistoryError(`that version of '${entry.name}' is its deletion; choose an earlier version to restore`);
  }
  if (!entry) throw new KmHistoryError(`macro ${uid} has no version to restore`);
  const r = await git.run(['cat-file', 'blob', `${entry.rev}:${entry.path}`], { readonly: true, allowExit: [128] });
  if (r.code !== 0) throw new KmHistoryError(`the version of '${entry.name}' from ${entry.rev.slice(0, 12)} cannot be read`);
  return { content: r.stdout, entry };
}

export interface RestoreMacroOptions {
  content: Buffer;
  uid: string;
  scripting: KmScripting;
  /** The live library (to know whether the macro is there, and to verify the import). */
  libraryPath: string;
  /** ConfSync's own folder for files to import (never Keyboard Maestro's). */
  importDir: string;
  verifyTimeoutMs?: number;
}

export type RestoreMacroResult =
  | { kind: 'restored'; name: string; group: string; path: string }
  | { kind: 'saved'; name: string; group: string; path: string; reason: string; fix: string | null };

/** Puts a version of a macro back through Keyboard Maestro's scripting, and checks that it took. */
export async function restoreMacro(o: RestoreMacroOptions): Promise<RestoreMacroResult> {
  const found = macroInFile(o.content, o.uid);
  if (!found) throw new KmHistoryError(`that version is not a .kmmacros file holding macro ${o.uid}`);
  const { macro, group } = found;
  await mkdir(o.importDir, { recursive: true });
  const path = join(o.importDir, `${safeName(macro.name, 100, 'Unnamed Macro')} (${safeName(o.uid, 80, 'nouid')})${KMMACROS_EXT}`);
  await writeFileAtomic(path, o.content);
  try {
    await o.scripting.probe();
  } catch (e) {
    if (e instanceof KmScriptingError && e.refused) return { kind: 'saved', name: macro.name, group, path, reason: e.reason, fix: e.fix };
    throw e;
  }
  const before = await readFile(o.libraryPath)
    .then((b) => parseLibrary(b))
    .catch(() => null);
  if (before?.macros.has(o.uid)) await o.scripting.deleteMacros([o.uid]);
  await o.scripting.importMacros(path);
  // Keyboard Maestro writes the library: the restored macro must be there, as it was in that version.
  const want = hashWithout(macro.raw, new Set(['ModificationDate', 'IsActive']));
  const end = Date.now() + (o.verifyTimeoutMs ?? 30_000);
  let problem: string;
  for (;;) {
    try {
      const now = parseLibrary(await readFile(o.libraryPath)).macros.get(o.uid);
      if (now && hashWithout(now.raw, new Set(['ModificationDate', 'IsActive'])) === want && now.enabled === macro.enabled) return { kind: 'restored', name: macro.name, group, path };
      problem = now ? 'it is there, but not as in that version' : 'it is not in the library';
    } catch (e) {
      problem = `the library cannot be read (${errText(e).split('\n')[0]})`;
    }
    if (Date.now() >= end) throw new Error(`Keyboard Maestro did not take '${macro.name}' back: ${problem}. The version is saved at ${path}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
