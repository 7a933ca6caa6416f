/**
 * Exports a library as one `.kmmacros` file per macro, for the sync repo's `keyboard-maestro-macros/`:
 *
 *   <dir>/<safe group name> (<group UID, first 8>)/<safe macro name> (<macro UID>).kmmacros
 *
 * A `.kmmacros` file is what Keyboard Maestro's File ▸ Export writes and imports: an XML plist whose
 * root is an array of group dicts (the group's attributes, e.g. Name/UID/IsActive/Targeting) each with
 * `Macros` holding the macro dicts. Keys are sorted so the files diff well and do not churn. A macro
 * holding a string XML 1.0 cannot carry (control characters) is written as a binary plist instead,
 * which Keyboard Maestro reads too.
 *
 * Only changed files are written (content compared), atomically; `.kmmacros` files of macros that no
 * longer exist or were renamed/moved are removed afterwards (kept when the macro's new file could not
 * be written), then empty group folders. Only `*.kmmacros` files at depth 1–2 are ever removed, never
 * anything else. A stale file differing from a new one only by case is removed first, so a case-only
 * rename also works on case-insensitive file systems. Writes skip fsync: the export is
 * regenerated from the live library on every run, so a file lost in a crash comes back next time.
 */
import { mkdir, readFile, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { groupFolderName, macroFileName, macroFileSuffix } from './filenames.js';
import { PlistEncodeError, encodePlist, errText } from './plist-codec.js';
import type { KmGroup, KmLibrary, KmMacroRecord, PlistDict } from './types.js';

export const KMMACROS_EXT = '.kmmacros';

export interface ExportResult {
  /** Paths relative to the export dir, `/`-separated. */
  written: string[];
  removed: string[];
  unchanged: number;
  /** Files that could not be written (the rest of the export went on). */
  errors: { uid: string; path: string; message: string }[];
}

export interface ExportOptions {
  /** Files written in parallel. Default 8. */
  concurrency?: number;
}

/**
 * `.kmmacros` content for one macro in its group: XML plist, binary when XML cannot hold it. The
 * macro's `ModificationDate` is left out: Keyboard Maestro stamps it on every save (and on a macro
 * another machine's change was applied to), so two machines exporting the same macro would otherwise
 * write different files of the same macro and meet as a conflict; a version is what the macro does.
 * Keyboard Maestro stamps a macro imported without one.
 */
export function buildMacroFile(group: PlistDict, macro: PlistDict): Buffer {
  const attrs: PlistDict = {};
  for (const k of Object.keys(group)) if (k !== 'Macros') attrs[k] = group[k];
  const stable: PlistDict = {};
  for (const k of Object.keys(macro)) if (k !== 'ModificationDate') stable[k] = macro[k];
  const root = [{ ...attrs, Macros: [stable] }];
  try {
    return encodePlist(root, 'xml', { sortKeys: true });
  } catch (err) {
    if (err instanceof PlistEncodeError) return encodePlist(root, 'binary', { sortKeys: true });
    throw err;
  }
}

function groupFor(lib: KmLibrary, rec: KmMacroRecord): KmGroup | undefined {
  return lib.groups.find((g) => g.uid === rec.groupUid);
}

/** Content of one macro's `.kmmacros` file, from a library. */
export function macroFileContent(lib: KmLibrary, uid: string): Buffer {
  const rec = lib.macros.get(uid);
  if (!rec) throw new Error(`no macro with UID ${uid} in the library`);
  const group = groupFor(lib, rec);
  return buildMacroFile(group?.raw ?? { Name: rec.groupName, UID: rec.groupUid }, rec.raw);
}

/** Export-relative path of a macro's file (`/`-separated). */
export function macroExportPath(rec: KmMacroRecord): string {
  return `${groupFolderName(rec.groupName, rec.groupUid)}/${macroFileName(rec.name, rec.uid)}`;
}

export async function exportLibrary(lib: KmLibrary, dir: string, opts: ExportOptions = {}): Promise<ExportResult> {
  const result: ExportResult = { written: [], removed: [], unchanged: 0, errors: [] };
  await mkdir(dir, { recursive: true });

  const expected = new Map<string, KmMacroRecord>();
  for (const rec of lib.macros.values()) expected.set(macroExportPath(rec).normalize('NFC'), rec);

  // Existing .kmmacros files at depth 1 and 2; names compared after NFC (HFS+ hands back NFD).
  const existing = new Map<string, string>(); // NFC rel path → rel path on disk
  const folders: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isFile() && entry.name.endsWith(KMMACROS_EXT)) existing.set(entry.name.normalize('NFC'), entry.name);
    else if (entry.isDirectory()) {
      folders.push(entry.name);
      for (const f of await readdir(join(dir, entry.name), { withFileTypes: true })) {
        if (f.isFile() && f.name.endsWith(KMMACROS_EXT)) {
          const rel = `${entry.name}/${f.name}`;
          existing.set(rel.normalize('NFC'), rel);
        }
      }
    }
  }

  // Stale files: removed after the writes, so a failed write (disk full…) never loses the old copy of a
  // renamed macro; except those differing from a new path only by case, removed first so the new name
  // wins on case-insensitive file systems.
  const expectedLower = new Set([...expected.keys()].map((k) => k.toLowerCase()));
  const stale = [...existing].filter(([nfc]) => !expected.has(nfc));
  const remove = async (rel: string) => {
    await unlink(join(dir, rel));
    result.removed.push(rel);
  };
  for (const [nfc, rel] of stale) if (expectedLower.has(nfc.toLowerCase())) await remove(rel);

  const failedUids = new Set<string>();
  const jobs = [...expected].map(([rel, rec]) => async () => {
    const onDisk = existing.get(rel) ?? rel;
    const abs = join(dir, onDisk);
    try {
      const content = macroFileContent(lib, rec.uid);
      const current = existing.has(rel) ? await readFile(abs).catch(() => null) : null;
      if (current && current.equals(content)) {
        result.unchanged++;
        return;
      }
      await mkdir(join(dir, onDisk.split('/')[0]), { recursive: true });
      await writeFileAtomic(abs, content, { fsync: false });
      result.written.push(onDisk);
    } catch (err) {
      failedUids.add(rec.uid);
      result.errors.push({ uid: rec.uid, path: onDisk, message: errText(err) });
    }
  });
  await runPool(jobs, Math.max(1, opts.concurrency ?? 8));

  const failedSuffixes = [...failedUids].map((uid) => macroFileSuffix(uid).normalize('NFC'));
  for (const [nfc, rel] of stale) {
    if (expectedLower.has(nfc.toLowerCase())) continue;
    if (failedSuffixes.some((suffix) => nfc.endsWith(suffix))) continue; // keep the old copy
    await remove(rel);
  }

  for (const folder of folders) {
    try {
      if ((await readdir(join(dir, folder))).length === 0) await rmdir(join(dir, folder));
    } catch {
      // vanished or not empty after all: leave it
    }
  }
  result.written.sort();
  result.removed.sort();
  return result;
}

async function runPool(jobs: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
}
