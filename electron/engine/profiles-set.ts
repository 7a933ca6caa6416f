/**
 * The profiles in force on this machine: catalog + the repo's `.confsync/profiles.json`, resolved for
 * this home and platform, filtered by the locally enabled names. Maps live paths to repo paths and back.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import path, { join } from 'node:path';
import { ProfileDefinition } from '../../shared/contract.js';
import { plural, type ProfileState } from '../../shared/state.js';
import type { SettingsStore } from './config/settings-store.js';
import { loadCatalog } from './profiles/catalog.js';
import { resolveProfile, liveToRepo, repoToLive, findProfileForRepoPath, folderMapper, mapLivePath, ProfileError, type LiveMapping, type ResolvedProfile } from './profiles/paths.js';
import { listProfileFiles, isDetected, type ScanOptions, type ScanResult } from './profiles/scan.js';
import { readProfilesFile, writeProfilesFile, upsertProfile, removeProfile, effectiveProfilesWithSource } from './profiles/store.js';
import { MARKER_DIR } from './git/init.js';

export class ProfileSet {
  private resolved: ResolvedProfile[] = [];
  private all: { profile: ProfileDefinition; source: string }[] = [];
  private errors = new Map<string, string>();
  /** The custom definitions in force: the file's, or the last good ones while the file is broken. */
  private customInForce: ProfileDefinition[] = [];
  fileError: string | null = null;

  /**
   * `lastGoodFile` (in the config dir) keeps the last valid definitions across restarts, so a broken
   * `.confsync/profiles.json` arriving from another clone never switches this machine's profiles off.
   */
  constructor(private readonly o: { repoDir: string; home: string; platform: NodeJS.Platform; settings: SettingsStore; lastGoodFile?: string; onReload?: () => void }) {}

  private readCustom(): { profiles: ProfileDefinition[]; error: string | null } {
    const r = readProfilesFile(this.o.repoDir);
    const file = this.o.lastGoodFile;
    if (!file) return r;
    if (!r.error) {
      const text = JSON.stringify(r.profiles);
      try {
        if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
      } catch {
        // best effort: the in-process copy still holds them
      }
      return r;
    }
    if (r.profiles.length) return r; // this process has read a good list before
    try {
      const kept = z.array(ProfileDefinition).safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (kept.success) return { profiles: kept.data, error: r.error };
    } catch {
      // no earlier good list on this machine
    }
    return r;
  }

  /** Files every ConfSync repo has. */
  ensureFiles(): void {
    const dir = join(this.o.repoDir, MARKER_DIR);
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'profiles.json'))) writeProfilesFile(this.o.repoDir, []);
    const readme = join(dir, 'README.md');
    if (!existsSync(readme)) {
      writeFileSync(
        readme,
        '# ConfSync repository\n\nManaged by ConfSync. Each top-level folder is a profile; files sit at their path relative to home.\n`.confsync/profiles.json` holds the shared profile definitions; `.confsync/conflicts.json` the open conflicts.\n',
      );
    }
  }

  reload(): void {
    const r = this.readCustom();
    this.fileError = r.error;
    this.customInForce = r.profiles;
    this.all = effectiveProfilesWithSource(r.profiles);
    const enabled = new Set((this.o.settings.get().enabledProfiles ?? []).map((n) => n.toLowerCase()));
    this.resolved = [];
    this.inFolder.clear();
    for (const { profile } of this.all) {
      if (!enabled.has(profile.name.toLowerCase())) continue;
      try {
        this.resolved.push(resolveProfile(profile, { home: this.o.home, platform: this.o.platform }));
        this.errors.delete(profile.name);
      } catch (e) {
        this.errors.set(profile.name, (e as Error).message);
      }
    }
    this.o.onReload?.();
  }

  enabled(): ResolvedProfile[] {
    return this.resolved;
  }

  definitions(): ProfileDefinition[] {
    return this.all.map((a) => a.profile);
  }

  custom(): ProfileDefinition[] {
    const r = readProfilesFile(this.o.repoDir);
    return r.error ? structuredClone(this.customInForce) : r.profiles;
  }

  setError(name: string, msg: string | null): void {
    if (msg) this.errors.set(name, msg);
    else this.errors.delete(name);
  }

  liveToRepo(abs: string): string | null {
    for (const p of this.resolved) {
      const r = liveToRepo(p, abs);
      if (r) return r;
    }
    return null;
  }

  /** Per folder, each profile's folderMapper for it (a pass asks for many files of few folders). */
  private inFolder = new Map<string, ((name: string) => LiveMapping)[]>();

  /** The base folder (or file) of the entry a live path belongs to, or null. */
  entryBase(abs: string): string | null {
    const posix = path.posix;
    if (this.o.platform !== 'win32' && typeof abs === 'string' && posix.isAbsolute(abs) && abs.length > 1 && !abs.endsWith('/') && posix.normalize(abs) === abs) {
      // mapLivePath's answer, a folder at a time (see folderMapper).
      const dir = posix.dirname(abs);
      let maps = this.inFolder.get(dir);
      if (!maps) {
        if (this.inFolder.size >= 10_000) this.inFolder.clear();
        maps = this.resolved.map((p) => folderMapper(p)(dir));
        this.inFolder.set(dir, maps);
      }
      const name = posix.basename(abs);
      for (const m of maps) {
        const r = m(name);
        if (r) return r.entry.abs;
      }
      return null;
    }
    for (const p of this.resolved) {
      const m = mapLivePath(p, abs);
      if (m) return m.entry.abs;
    }
    return null;
  }

  repoToLive(repoPath: string): string | null {
    const p = findProfileForRepoPath(this.resolved, repoPath);
    return p ? repoToLive(p, repoPath) : null;
  }

  forRepoPath(repoPath: string): ResolvedProfile | null {
    return findProfileForRepoPath(this.resolved, repoPath);
  }

  scan(p: ResolvedProfile, opts: ScanOptions): Promise<ScanResult> {
    return listProfileFiles(p, opts);
  }

  async detectCatalog(): Promise<string[]> {
    const out: string[] = [];
    for (const def of loadCatalog()) {
      if (await isDetected(def, { home: this.o.home, platform: this.o.platform })) out.push(def.name);
    }
    return out;
  }

  async states(): Promise<ProfileState[]> {
    const enabled = new Set((this.o.settings.get().enabledProfiles ?? []).map((n) => n.toLowerCase()));
    const out: ProfileState[] = [];
    for (const { profile, source } of this.all) {
      const detected = await isDetected(profile, { home: this.o.home, platform: this.o.platform }).catch(() => false);
      out.push({
        name: profile.name,
        title: profile.title ?? profile.name,
        builtin: source === 'catalog',
        detected,
        enabled: enabled.has(profile.name.toLowerCase()),
        files: 0,
        error: this.errors.get(profile.name) ?? null,
      });
    }
    return out;
  }

  /**
   * Writes the shared definitions; the caller commits `.confsync/profiles.json`. Every way of adding a
   * profile (the CLI's `profile add`, the UI's Profiles tab, both `profiles:save`) lands here, so one
   * rule holds for all: a profile is ON on the machine where it was added (a name with no custom
   * definition yet, including one that replaces a catalog entry), and saving an existing custom
   * profile again keeps its on/off state on each machine. A path outside home is refused
   * (ProfileError naming the entry), before anything is written.
   */
  save(def: ProfileDefinition): { added: boolean; enabled: boolean } {
    const resolved = resolveProfile(def, { home: this.o.home, platform: this.o.platform }); // throws a clear ProfileError
    const outside = outsideHome(resolved);
    if (outside) throw new ProfileError(outside, def.name);
    const added = !this.custom().some((d) => d.name.toLowerCase() === def.name.toLowerCase());
    writeProfilesFile(this.o.repoDir, upsertProfile(this.custom(), def));
    const cur = this.o.settings.get().enabledProfiles ?? [];
    // A settings file that is invalid cannot be written: the profile is saved, and stays off here.
    if (added && !this.o.settings.loadError && !cur.some((n) => n.toLowerCase() === def.name.toLowerCase())) {
      this.o.settings.update({ enabledProfiles: [...cur, def.name] });
    }
    this.reload();
    const enabled = (this.o.settings.get().enabledProfiles ?? []).some((n) => n.toLowerCase() === def.name.toLowerCase());
    return { added, enabled };
  }

  remove(name: string): boolean {
    const before = this.custom();
    const after = removeProfile(before, name);
    if (after.length === before.length) return false;
    writeProfilesFile(this.o.repoDir, after);
    this.reload();
    return true;
  }

  async preview(def: ProfileDefinition, maxFiles: number, maxFileBytes: number): Promise<{ files: string[]; total: number; truncated: boolean; error: string | null }> {
    try {
      const p = resolveProfile(def, { home: this.o.home, platform: this.o.platform });
      const r = await listProfileFiles(p, { maxFiles, maxFileBytes });
      const files = r.files.map((f) => f.abs);
      return { files: files.slice(0, 500), total: files.length, truncated: r.tooMany || files.length > 500, error: r.tooMany ? `matches more than ${plural(maxFiles, 'file')}` : null };
    } catch (e) {
      return { files: [], total: 0, truncated: false, error: (e as Error).message };
    }
  }
}

export const PROFILES_REL = `${MARKER_DIR}/profiles.json`;

/**
 * Why a resolved profile cannot be saved because an entry lies outside home, or null. ConfSync syncs
 * what is under home: every machine puts a file under its own home, so a path outside it (`/tmp/x`,
 * `/etc/hosts`) would land at the same absolute place on every machine, where it may not belong.
 */
export function outsideHome(p: ResolvedProfile): string | null {
  const P = p.platform === 'win32' ? path.win32 : path.posix;
  const home = P.resolve(p.home);
  for (const e of p.entries) {
    const rel = P.relative(home, e.abs);
    if (e.key.startsWith('_abs/') || rel === '' || rel === '..' || rel.startsWith(`..${P.sep}`) || P.isAbsolute(rel)) {
      return `profile "${p.name}": ${e.abs}${e.glob ? `/${e.glob}` : ''} is outside your home folder (${home}); ConfSync syncs files under your home folder only, so each machine can keep them under its own home: use a path under ~ (for example ~/${P.basename(e.abs)})`;
    }
  }
  return null;
}
