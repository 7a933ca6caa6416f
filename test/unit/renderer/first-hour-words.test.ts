/**
 * The words behind the first-hour fixes: git's failures explained (cause and fix), the settings
 * validator in words, the popover's activity rule, the scan's progress, the header while paused with
 * conflicts, a profile path relative to home, and what waits for a restart.
 */
import { describe, expect, it } from 'vitest';
import { amountWords, explainProblem, gitFirstLine, validatorWords } from '../../../renderer/lib/host-errors';
import { activityMatters, describeState, failureWords, headerWords, resultProblem, scanProgress, stateProblem, testConnectionWords } from '../../../renderer/lib/words';
import { relativePathMeanings, relativePathMeaningsOf, relativePathWords } from '../../../renderer/lib/profile-form';
import { waitingForRestart } from '../../../renderer/lib/settings-form';
import { initialAppState, type AppState, type SyncResult } from '../../../shared/state';
import { defaultSettings } from '../../../shared/settings';

const base = initialAppState({ version: '0.1.0', host: 'hotel', configDir: '/c', repoPath: '/r', branch: 'main' });
const st = (patch: Partial<AppState>): AppState => ({ ...base, phase: 'idle', ...patch });
const result = (patch: Partial<SyncResult>): SyncResult => ({ kind: 'ok', message: '', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 1, skipped: [], warnings: [], ...patch });
const conflict = {
  path: 'zsh/.zshrc',
  livePath: '/home/u/.zshrc',
  copyPath: null,
  kind: 'text' as const,
  mine: { host: 'hotel', at: 1, where: 'live' as const },
  theirs: { host: 'kilo', at: 2, where: 'copy' as const },
  others: [],
  summary: 'changed on both',
  detectedAt: 3,
};

const MISSING = "fatal: '/tmp/x/dotfiles.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.";

describe('git failures, explained', () => {
  it('an empty name given to git: the cause, and the fix naming the variables', () => {
    const p = explainProblem('error', ['Could not commit', 'fatal: empty ident name (for <confsync@juliet.invalid>) not allowed']);
    expect(p).toMatchObject({ id: 'identity-empty', cause: 'Git needs a name and email: the name it was given is empty' });
    expect(p!.fix).toMatch(/GIT_AUTHOR_NAME or GIT_COMMITTER_NAME/);
  });

  it('no identity at all: git config, in the words of the fix', () => {
    const p = explainProblem('error', ['Could not commit', '*** Please tell me who you are.\n\nRun\n\n  git config --global user.email "you@example.com"']);
    expect(p).toMatchObject({ id: 'identity', cause: 'Git needs a name and email' });
    expect(p!.fix).toContain('git config --global user.name');
  });

  it('a missing remote is "not found", not offline; a real network failure stays unexplained', () => {
    expect(explainProblem('offline', ['Offline: 3 commits waiting', MISSING])?.id).toBe('not-found');
    expect(explainProblem('offline', ['fatal: repository \'https://github.com/me/nope.git/\' not found'])?.id).toBe('not-found');
    expect(explainProblem('offline', ['fatal: unable to access: Could not resolve host: github.com'])).toBeNull();
    // A local file that is missing is not a missing remote.
    expect(explainProblem('disk-full', ['write error', 'No space left on device'])?.id).toBe('disk-full');
  });

  it('an SSH key refused is the credentials, not a file permission; a lock is another git', () => {
    expect(explainProblem('auth-failed', ['git@github.com: Permission denied (publickey).'])?.id).toBe('auth');
    expect(explainProblem('error', ["fatal: Unable to create '/r/.git/index.lock': File exists."])?.id).toBe('locked');
    expect(explainProblem('error', ['error: open("x"): Permission denied'])?.id).toBe('permission');
    expect(explainProblem('offline', ['Permission denied'])).toBeNull();
  });

  it('kinds with their own words get their fix even when git says nothing more', () => {
    expect(explainProblem('remote-rewritten', ['The remote history was rewritten'])).toMatchObject({ id: 'rewritten' });
    expect(explainProblem('remote-rewritten', [])!.fix).toContain('--adopt-remote');
    expect(explainProblem('error', ['something odd'])).toBeNull();
  });

  it("git's first line, without its prefix", () => {
    expect(gitFirstLine(MISSING)).toBe("'/tmp/x/dotfiles.git' does not appear to be a git repository");
    expect(gitFirstLine('\n\nerror: x\n')).toBe('x');
    expect(gitFirstLine(undefined)).toBeNull();
  });

  it('a failed result: its problem; a success has none', () => {
    expect(resultProblem(result({ kind: 'error', message: 'Could not commit', detail: 'fatal: empty ident name (for <a@b>) not allowed' }))?.id).toBe('identity-empty');
    expect(resultProblem(result({ kind: 'ok', message: 'Synced', warnings: ['empty ident name'] }))).toBeNull();
    const unknown = failureWords('error', 'Could not commit', 'fatal: the moon is full', []);
    expect(unknown).toEqual({ problem: null, words: 'Could not commit', gitLine: 'the moon is full' });
  });
});

describe('the state, in words, with a problem', () => {
  it('a failed sync says "Sync failed" and the cause once', () => {
    const s = st({ phase: 'error', repo: { ...base.repo, lastResult: result({ kind: 'error', message: 'Could not commit', detail: 'fatal: empty ident name (for <a@b>) not allowed' }) } });
    expect(describeState(s)).toMatchObject({ kind: 'error', label: 'Sync failed', detail: 'Git needs a name and email: the name it was given is empty.' });
    expect(stateProblem(s).problem?.id).toBe('identity-empty');
  });

  it('an unexplained failure keeps its message', () => {
    const s = st({ phase: 'error', errors: [{ at: 1, source: 'sync', message: 'Could not commit' }] });
    expect(describeState(s).detail).toBe('Stopped on an error: Could not commit.');
  });

  it('offline because the remote is not there: "Remote not found", with the address; the tray still says offline', () => {
    const s = st({ phase: 'offline', repo: { ...base.repo, remote: '/tmp/x/dotfiles.git', ahead: 2, lastResult: result({ kind: 'offline', message: 'Offline: 2 commits waiting', detail: MISSING }) } });
    expect(describeState(s)).toEqual({ kind: 'offline', tone: 'error', label: 'Remote not found', detail: 'Nothing is sent or received: there is no repository at /tmp/x/dotfiles.git.' });
    const offline = st({ phase: 'offline', repo: { ...base.repo, lastResult: result({ kind: 'offline', message: 'Offline', detail: 'Could not resolve host: example.com' }) } });
    expect(describeState(offline).label).toBe('Offline');
  });

  it('the connection test says "not found" in the words people look for', () => {
    expect(testConnectionWords('not-found')).toEqual({ title: 'Not found: check the address', tone: 'error' });
  });
});

describe('the popover headline while paused', () => {
  it('Paused leads over conflicts; their count stays in the detail; the tray kind is unchanged', () => {
    const s = st({ paused: true, phase: 'paused', conflicts: [conflict] });
    expect(describeState(s)).toMatchObject({ kind: 'conflict', label: '1 conflict' });
    expect(headerWords(s)).toEqual({
      kind: 'conflict',
      tone: 'paused',
      label: 'Paused',
      detail: 'Changes are noticed but not synced until you resume. 1 conflict waits for your choice.',
    });
    expect(headerWords(st({ paused: true, conflicts: [conflict, { ...conflict, path: 'zsh/.zshenv' }] })).detail).toMatch(/2 conflicts wait for your choice\.$/);
  });

  it('otherwise the same as the tray', () => {
    for (const s of [st({ conflicts: [conflict] }), st({ paused: true }), st({ phase: 'error' }), st({ safeToShutDown: true })]) expect(headerWords(s)).toEqual(describeState(s));
  });
});

describe('the activity rule', () => {
  const item = (kind: Parameters<typeof activityMatters>[0]['kind'], text: string) => ({ kind, text });
  it('keeps files saved and arrived, conflicts, resolutions, restores, errors, held-back files, macros and one-off notices', () => {
    for (const a of [
      item('commit', '.zshrc committed'),
      item('arrived', '2 files arrived from kilo'),
      item('arrived', '.zshrc arrived from kilo'),
      item('conflict', '.zshrc: lima and kilo both changed it; both versions are kept'),
      item('resolved', 'Conflict in .zshrc resolved'),
      item('restored', '.zshenv restored'),
      item('error', 'Could not commit'),
      item('secret', 'id_rsa held back'),
      item('km', "Macro 'X' disabled"),
      item('info', "Joined the remote's history"),
      item('info', 'Enabled 2 detected profiles: zsh, git'),
    ])
      expect(activityMatters(a), a.text).toBe(true);
  });

  it('leaves out "Sent", pause and resume, hints, and conflict copies arriving', () => {
    for (const a of [
      item('pushed', 'Pushed 1 commit'),
      item('info', 'Sync paused'),
      item('info', 'Sync resumed'),
      item('info', 'kilo pushed changes: fetching now'),
      item('arrived', '.zshrc.conflict-kilo-20261205-002503 arrived from another machine'),
      item('arrived', 'Keyboard Maestro Macros.conflict-kilo-20261205-002503.plist arrived from kilo'),
    ])
      expect(activityMatters(a), a.text).toBe(false);
  });
});

describe('the first scan', () => {
  it('a bar that fills only when the total is known to be larger', () => {
    expect(scanProgress({ running: true, scanned: 1234, total: 5000 })).toEqual({ determinate: true, percent: 24, words: 'Scanned 1,234 of 5,000 files' });
    expect(scanProgress({ running: true, scanned: 1234, total: 1234 })).toEqual({ determinate: false, percent: null, words: 'Scanned 1,234 files so far' });
    expect(scanProgress({ running: true, scanned: 0, total: 0 })).toMatchObject({ determinate: false, words: 'Looking for files…' });
    expect(scanProgress({ running: true, scanned: 1, total: 2 }).words).toBe('Scanned 1 of 2 files');
  });
});

describe('settings, in words', () => {
  it("the validator's limits in the setting's own unit", () => {
    expect(validatorWords('Too small: expected number to be >=10', 'seconds')).toBe('At least 10 seconds.');
    expect(validatorWords('Too big: expected number to be <=86400', 'seconds')).toBe('At most 24 hours.');
    expect(validatorWords('Too small: expected number to be >=50', 'ms')).toBe('At least 50 milliseconds.');
    expect(validatorWords('Too big: expected number to be <=600000', 'ms')).toBe('At most 10 minutes.');
    expect(validatorWords('Too big: expected string to have <=64 characters')).toBe('At most 64 characters.');
    expect(validatorWords('Too small: expected string to have >=1 characters')).toBe('Cannot be empty.');
    expect(validatorWords('Invalid input: expected int, received number')).toBe('Enter a whole number.');
    expect(validatorWords('letters, digits, dot, underscore and dash only')).toBe('Letters, digits, dot, underscore and dash only.');
    expect(validatorWords('Too small: expected number to be >=1000', 'number')).toBe('At least 1,000.');
  });

  it('amounts with the largest exact unit and thousands separators', () => {
    expect(amountWords(1, 'seconds')).toBe('1 second');
    expect(amountWords(90, 'seconds')).toBe('90 seconds');
    expect(amountWords(3_600_000, 'ms')).toBe('1 hour');
    expect(amountWords(1500, 'ms')).toBe('1,500 milliseconds');
    expect(amountWords(172_800, 'seconds')).toBe('2 days');
  });

  it('what waits for a restart: the host name against the one in use, the wait against what the window saw', () => {
    const s = defaultSettings();
    const opened = { ...s, hostName: 'hotel' };
    expect(waitingForRestart(opened, opened, { host: 'hotel' })).toEqual([]);
    expect(waitingForRestart({ ...s, hostName: 'hotel-2' }, opened, { host: 'hotel' })).toEqual(['the host name hotel-2 (it is hotel until then)']);
    expect(waitingForRestart({ ...s, hostName: null }, opened, { host: 'hotel' })).toEqual(['the computer’s own name as the host name (it is hotel until then)']);
    expect(waitingForRestart({ ...opened, sync: { ...s.sync, debounceMs: 300 } }, opened, { host: 'hotel' })).toEqual(['the wait of 300 milliseconds before saving a change']);
    // The Keyboard Maestro library applies at once.
    expect(waitingForRestart({ ...opened, km: { ...s.km, libraryPath: '/x.plist' } }, opened, { host: 'hotel' })).toEqual([]);
  });
});

describe('profile paths relative to home', () => {
  it('"bin" means ~/bin; ~, / and drive paths say where they are already', () => {
    expect(relativePathMeanings(['bin', '~/.zshrc', '/etc/hosts', 'C:\\tools', { darwin: 'Library/x', linux: '~/.config/x' }])).toEqual([
      { path: 'bin', means: '~/bin' },
      { path: 'Library/x', means: '~/Library/x' },
    ]);
    expect(relativePathMeaningsOf('bin\n{"linux":".config/y"}\n{not json')).toEqual([
      { path: 'bin', means: '~/bin' },
      { path: '.config/y', means: '~/.config/y' },
    ]);
    expect(relativePathWords(relativePathMeanings(['a', 'b', 'c', 'd', 'e']))).toBe('a means ~/a, b means ~/b, c means ~/c and 2 more');
  });
});
