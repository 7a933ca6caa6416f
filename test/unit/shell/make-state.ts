/** AppState builder for shell tests: initialAppState plus shallow overrides (nested repo merged). */
import { initialAppState, type AppState, type Conflict, type ProfileState } from '../../../shared/state';

type Overrides = Partial<Omit<AppState, 'repo'>> & { repo?: Partial<AppState['repo']> };

export function makeState(over: Overrides = {}): AppState {
  const base = initialAppState({ version: '0.1.0', host: 'laptop', configDir: '/cfg', repoPath: '/cfg/repo', branch: 'main' });
  const { repo, ...rest } = over;
  return { ...base, phase: 'idle', ...rest, repo: { ...base.repo, ...repo } };
}

export function profile(name: string, files: number, enabled = true): ProfileState {
  return { name, title: name, builtin: true, detected: true, enabled, files, error: null };
}

export function conflict(path: string): Conflict {
  return {
    path,
    livePath: null,
    copyPath: null,
    kind: 'text',
    mine: { host: 'laptop', at: null, where: 'live' },
    theirs: { host: 'mac-mini', at: null, where: 'copy' },
    others: [], summary: `${path} changed on both machines`,
    detectedAt: 0,
  };
}
