/**
 * The built-in catalog of common apps and tools (in the spirit of Mackup's application database).
 * The data lives in catalog.json; it is validated with the contract's ProfileDefinition schema at load.
 *
 * ## How entries are written (JSON has no comments, so the rationale lives here)
 *
 * - Sources: each entry's files were checked against Mackup's `applications/*.cfg`, the app's
 *   Homebrew cask `zap` list, or the app's own documentation. Secrets, caches, history databases and
 *   license files are never listed (Raycast's encrypted database, BetterTouchTool's SQLite preset
 *   store and its license, `~/.codex/auth.json`, OBS's `service.json` stream key, Alfred workflows'
 *   `prefs.plist`, xbar's `*.vars.json`, JetBrains' `c.kdbx`/`*.key` are all left out).
 * - A preference domain stored by `defaults` is listed as its plist,
 *   `{ "darwin": "~/Library/Preferences/<domain>.plist" }` (the engine goes through
 *   `defaults export/import` for those).
 * - `ignoreKeys` is set on entries whose files are plists or JSON that the app rewrites on its own:
 *   Cocoa window/split/table state (`NSWindow Frame *`, `NSSplitView Subview Frames *`, `NSTableView *`),
 *   open-panel state (`NSNavLast*`, `NSNavPanel*`), menu bar positions, Sparkle's bookkeeping
 *   (`SULastCheckTime`, `SUUpdateGroupIdentifier`, `SUHasLaunchedBefore`, … — never `SUCheckAtStartup` or
 *   `SUEnableAutomaticChecks`, which are settings), `*LastLaunch*`, iTerm2's own `NoSync*` keys and
 *   telemetry ids such as `MSAppCenter*`.
 * - `app` is the macOS process name (the bundle's executable, what `pgrep -x` sees): usually the app's
 *   name, but `idea`, `pycharm`, `webstorm`, `goland`, `clion`, `phpstorm`, `rubymine`, `datagrip`,
 *   `rider` and `rustrover` for the JetBrains IDEs. It is left out where the executable name depends
 *   on the installed version (Bartender N, Soulver N, Default Folder X N), is not the app (Warp's
 *   `stable`, the Electron editors) or could not be confirmed (Witch, MenuMeters, Beyond Compare), and
 *   on cross-platform tools that reload their own config files (VLC, mpv, kitty, …).
 * - `applyWhen: "app-quit"` is set only where preferences applied under the running app are known to
 *   be lost because the app writes its whole state back when it quits:
 *   - iTerm2: keeps its preferences in memory and rewrites `com.googlecode.iterm2` on quit;
 *   - Terminal: same for `com.apple.Terminal` (profiles edited under it are overwritten);
 *   - Keyboard Maestro: the editor rewrites `Keyboard Maestro Macros.plist` from memory;
 *   - the JetBrains IDEs: they hold `options/*.xml` in memory and save them on exit (JetBrains asks
 *     for config files to be edited with the IDE closed).
 * - JetBrains settings live in versioned folders (`IntelliJIdea2025.1`), so their entries are globs;
 *   each version keeps its own repo path, as the IDE itself keeps one folder per version. The globs
 *   avoid `**` and braces so a scan stays within three levels of the shared JetBrains folder, and the
 *   deepest one (the two-level `fileTemplates` glob) comes first: entries that share a base folder are
 *   walked once, to the first entry's depth.
 */
import picomatch from 'picomatch';
import { z } from 'zod';
import { ProfileDefinition, describeZodError } from '../../../shared/contract.js';
import catalogJson from './catalog.json' with { type: 'json' };

/** Catalog names are stricter than custom ones: lowercase, digits and dashes. */
export const CATALOG_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

let cached: ProfileDefinition[] | null = null;

/** A key glob that picomatch compiles (and that is not blank). */
function isKeyGlob(g: string): boolean {
  if (g.trim() === '') return false;
  try {
    picomatch.makeRe(g, { strictBrackets: true });
    return true;
  } catch {
    return false;
  }
}

/** Parses and checks catalog data; throws with a clear message when it is broken (a build error). */
export function parseCatalog(data: unknown): ProfileDefinition[] {
  const r = z.array(ProfileDefinition).safeParse(data);
  if (!r.success) throw new Error(`profiles catalog is invalid: ${describeZodError(r.error)}`);
  const seen = new Set<string>();
  for (const def of r.data) {
    if (!CATALOG_NAME.test(def.name)) throw new Error(`profiles catalog: name ${JSON.stringify(def.name)} must be lowercase [a-z0-9-]`);
    if (seen.has(def.name)) throw new Error(`profiles catalog: duplicate name ${JSON.stringify(def.name)}`);
    seen.add(def.name);
    if (def.applyWhen && !def.app) throw new Error(`profiles catalog: ${def.name} has applyWhen but no app`);
    for (const field of ['ignoreKeys', 'localKeys'] as const) {
      for (const g of def[field] ?? []) {
        if (!isKeyGlob(g)) throw new Error(`profiles catalog: ${def.name}.${field} has an invalid glob ${JSON.stringify(g)}`);
      }
    }
  }
  return r.data;
}

/** The built-in catalog, validated (a fresh copy each call: callers may mutate it). */
export function loadCatalog(): ProfileDefinition[] {
  if (!cached) cached = parseCatalog(catalogJson as unknown);
  return structuredClone(cached);
}

/** One catalog entry by name, or null. */
export function catalogEntry(name: string): ProfileDefinition | null {
  return loadCatalog().find((d) => d.name === name) ?? null;
}
