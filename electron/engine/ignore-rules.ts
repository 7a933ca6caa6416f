/**
 * What is never synced, combined for the watcher and the scanner: built-in noise (editor swap files,
 * *.tmp, .DS_Store, node_modules, .git), each profile's excludes, `.gitignore` files inside watched
 * trees, and the repo's own `.confsyncignore` (gitignore syntax, matched against repo paths such as
 * `vscode/.config/Code/User/workspaceStorage/`), which every machine shares.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import { createIgnoreFilter } from './watch/ignore.js';
import type { ResolvedProfile } from './profiles/paths.js';

export const CONFSYNCIGNORE = '.confsyncignore';

export function buildIgnore(repoDir: string, profiles: ResolvedProfile[], liveToRepo: (abs: string) => string | null): (abs: string, isDir?: boolean) => boolean {
  const trees = profiles.flatMap((p) => p.entries.map((e) => e.abs));
  const base = createIgnoreFilter({ excludes: profiles.flatMap((p) => p.exclude), loadGitignoreIn: trees, builtin: true });
  const file = join(repoDir, CONFSYNCIGNORE);
  const ig = existsSync(file) ? ignore().add(readFileSync(file, 'utf8')) : null;
  return (abs, isDir) => {
    if (base.isIgnored(abs, isDir)) return true;
    if (!ig) return false;
    const repo = liveToRepo(abs);
    if (!repo) return false;
    return ig.ignores(isDir ? `${repo}/` : repo);
  };
}
