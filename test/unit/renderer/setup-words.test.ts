/**
 * The words of the setup flow and of the review of changes waiting to arrive (renderer/lib/
 * setup-words.ts), and the classes field's rules (renderer/lib/classes-form.ts) held to the settings
 * schema's own answers.
 */
import { describe, expect, it } from 'vitest';
import {
  applyAllWords,
  diffLabels,
  fileName,
  incomingWaitingWords,
  initialChoice,
  joinProfiles,
  leftOffProfiles,
  previewGroups,
  previewSummary,
  reviewItems,
  setupProfileWords,
  setupTestWords,
  testAllowsPreview,
  testDetailWords,
  withIncomingWaiting,
  type SetupProfile,
} from '../../../renderer/lib/setup-words';
import { classesError, classesText, hostClassesError, splitClasses, MAX_CLASSES } from '../../../renderer/lib/classes-form';
import { describeState, headerWords } from '../../../renderer/lib/words';
import { MachineSettings, Settings } from '../../../shared/settings';
import { describeZodError, PreviewItem, type SyncPreview } from '../../../shared/contract';
import { initialAppState, type AppState } from '../../../shared/state';

const item = (path: string, what: PreviewItem['what'], live = `/home/u/${path.split('/').slice(1).join('/')}`): PreviewItem => ({ path, live, what, words: `words for ${what}` });
const profile = (p: Partial<SetupProfile> & { name: string }): SetupProfile => ({ title: p.name, files: 1, enabled: false, detected: true, willEnable: false, ...p });

describe('testing a remote', () => {
  it('not found: the fix in words, without git repeating the address', () => {
    const w = setupTestWords({ kind: 'not-found', message: 'No repository at that address', detail: "fatal: '/x/d.git' does not appear to be a git repository" });
    expect(w).toEqual({ title: 'Not found: check the address', tone: 'error', fix: 'No repository at that address: look for a typo, or for a disk, check that it is connected.', gitLine: null });
  });

  it('refused credentials and a changed host key: the shared fixes; offline: check the network', () => {
    expect(setupTestWords({ kind: 'auth-failed', message: 'auth-failed', detail: 'Permission denied (publickey).' }).fix).toMatch(/git ls-remote/);
    expect(setupTestWords({ kind: 'host-key-changed', message: 'x' }).fix).toMatch(/ssh-keygen -R/);
    expect(setupTestWords({ kind: 'offline', message: 'offline', detail: 'ssh: Could not resolve hostname example.invalid' })).toMatchObject({
      tone: 'warning',
      fix: "Check this machine's network connection (and that the server is up), then test again.",
      gitLine: 'ssh: Could not resolve hostname example.invalid',
    });
  });

  it('a failure ConfSync cannot explain keeps git\'s line; one it can is said as its cause', () => {
    expect(setupTestWords({ kind: 'error', message: 'error', detail: 'fatal: protocol error: bad line length' })).toMatchObject({ title: 'The connection test failed', fix: null, gitLine: 'protocol error: bad line length' });
    expect(setupTestWords({ kind: 'error', message: 'error', detail: 'fatal: Authentication failed for https://x' })).toMatchObject({ title: 'The server refused the credentials', gitLine: null });
  });

  it('only a reachable repository (or an empty one) leads to the preview; the host\'s words beside the kind when they add something', () => {
    expect(testAllowsPreview({ kind: 'ok', message: '' })).toBe(true);
    expect(testAllowsPreview({ kind: 'empty', message: '' })).toBe(true);
    for (const kind of ['offline', 'auth-failed', 'host-key-changed', 'not-found', 'timeout', 'error'] as const) expect(testAllowsPreview({ kind, message: '' })).toBe(false);
    expect(testAllowsPreview(null)).toBe(false);
    expect(testDetailWords({ kind: 'ok', message: 'Reachable; branch main exists' })).toBe('Reachable; branch main exists');
    expect(testDetailWords({ kind: 'offline', message: 'offline' })).toBeNull();
    expect(testDetailWords({ kind: 'not-found', message: 'No repository at that address' })).toBeNull();
  });
});

describe('the preview', () => {
  const p: Pick<SyncPreview, 'incoming' | 'outgoing'> = {
    incoming: [item('zsh/.zshrc', 'yours-kept-beside'), item('zsh/.zshenv', 'arrives'), item('zsh/.zprofile', 'same'), item('git/.gitconfig', 'replaces'), item('vim/.vimrc', 'removed')],
    outgoing: [item('zsh/.zlogin', 'new'), item('zsh/.secret', 'held')],
  };

  it('groups every file by what happens to it, in reading order, with counts', () => {
    const g = previewGroups(p);
    expect(g.map((x) => [x.id, x.count, x.items.map((i) => i.path)])).toEqual([
      ['arrives', '2 files', ['git/.gitconfig', 'zsh/.zshenv']],
      ['kept', '1 file', ['zsh/.zshrc']],
      ['removed', '1 file', ['vim/.vimrc']],
      ['sent', '1 file', ['zsh/.zlogin']],
      ['held', '1 file', ['zsh/.secret']],
      ['same', '1 file', ['zsh/.zprofile']],
    ]);
    expect(g.find((x) => x.id === 'sent')!.items[0].direction).toBe('outgoing');
    expect(previewSummary(g)).toBe('7 files: 2 arrive, 1 kept as a conflict copy, 1 removed, 1 sent, 1 held back, 1 already the same.');
  });

  it('leaves out the files of a profile left off; empty groups are not listed', () => {
    const g = previewGroups(p, new Set(['Git', 'vim']));
    expect(g.map((x) => x.id)).toEqual(['arrives', 'kept', 'sent', 'held', 'same']);
    expect(g[0].items.map((i) => i.path)).toEqual(['zsh/.zshenv']);
    expect(previewSummary(previewGroups({ incoming: [], outgoing: [] }))).toBe('No files change on this machine.');
    const many = previewGroups({ incoming: Array.from({ length: 1204 }, (_, i) => item(`zsh/f${i}`, 'yours-kept-beside')), outgoing: [] });
    expect(many[0].count).toBe('1,204 files');
    expect(previewSummary(many)).toBe('1,204 files: 1,204 kept as conflict copies.');
  });

  it('profiles: the ones the engine turns on are chosen; one click turns one on or leaves it off', () => {
    const list = [
      profile({ name: 'zsh', title: 'Zsh', files: 3, willEnable: true }),
      profile({ name: 'git', title: 'Git', files: 1, detected: false }),
      profile({ name: 'vim', title: 'Vim', files: 2, enabled: true }),
      profile({ name: 'tmux', title: 'tmux', files: 1, detected: true }),
    ];
    const chosen = initialChoice(list);
    expect([...chosen]).toEqual(['zsh']);
    expect(setupProfileWords(list[0], true)).toEqual({ files: '3 files in the repo', state: 'Turned on when you apply', action: 'leave-off' });
    expect(setupProfileWords(list[1], false)).toEqual({ files: '1 file in the repo', state: 'Not found on this machine', action: 'turn-on' });
    expect(setupProfileWords(list[1], true).state).toBe('Turned on when you apply: its file arrives from the repo');
    expect(setupProfileWords({ ...list[1], files: 1500 }, true).state).toBe('Turned on when you apply: its 1,500 files arrive from the repo');
    expect(setupProfileWords(list[2], false)).toEqual({ files: '2 files in the repo', state: 'Already on here', action: null });
    expect(setupProfileWords(list[3], false).state).toBe('Found on this machine, left off');
    const withGit = new Set([...chosen, 'git']);
    expect(joinProfiles(list, withGit)).toEqual(['zsh', 'git']);
    expect(joinProfiles(list, new Set())).toEqual([]); // nothing chosen: join turns nothing on
    expect([...leftOffProfiles(list, withGit)]).toEqual(['tmux']);
  });

  it('names the two versions of a diff from this machine', () => {
    expect(diffLabels({ what: 'yours-kept-beside', direction: 'incoming' }, 'desk-b')).toEqual({
      oldLabel: 'Yours (this machine, desk-b)',
      newLabel: "The repo's version",
      sides: { oldTag: 'yours', newTag: 'repo' },
    });
    expect(diffLabels({ what: 'replaces', direction: 'incoming' }, 'desk-b')).toEqual({ oldLabel: 'Yours now', newLabel: 'Arriving', sides: null });
    expect(diffLabels({ what: 'new', direction: 'outgoing' }, 'desk-b').sides).toBeNull();
    expect(fileName('/home/u/.config/git/config')).toBe('config');
    expect(fileName('C:\\Users\\u\\.zshrc')).toBe('.zshrc');
  });
});

describe('changes waiting to arrive', () => {
  const base = initialAppState({ version: '0.1.0', host: 'desk-b', configDir: '/c', repoPath: '/r', branch: 'main' });
  const st = (patch: Partial<AppState>, waiting: number): AppState => ({ ...base, phase: 'idle', safeToShutDown: true, ...patch, repo: { ...base.repo, remote: '/r.git', incomingWaiting: waiting } });

  it('counts in words', () => {
    expect(incomingWaitingWords(1)).toBe('1 change waiting to arrive');
    expect(incomingWaitingWords(2345)).toBe('2,345 changes waiting to arrive');
    expect(applyAllWords(1)).toBe('Apply the change');
    expect(applyAllWords(3)).toBe('Apply all 3 changes');
  });

  it('the header: calm and never "Up to date" while changes wait; what matters more keeps its words', () => {
    const waiting = st({}, 2);
    expect(describeState(waiting).label).toBe('Up to date'); // what the tray's words say without the count
    expect(withIncomingWaiting(headerWords(waiting), waiting)).toEqual({ kind: 'idle', tone: 'pending', label: 'Waiting for your review', detail: 'Changes from other machines arrive here when you apply them.' });
    const pending = st({ safeToShutDown: false, watch: { ...base.watch, pendingPaths: 1 } }, 1);
    expect(withIncomingWaiting(headerWords(pending), pending).detail).toBe('1 change not saved yet. Changes from other machines arrive here when you apply them.');
    for (const s of [
      st({ phase: 'error', repo: base.repo }, 1),
      st({ paused: true, phase: 'paused' }, 1),
      st({ phase: 'pulling' }, 1),
      st({ phase: 'offline' }, 1),
      st({ skipped: [{ path: 'zsh/.big', reason: 'too large', unsynced: true, direction: 'outgoing' }], safeToShutDown: false }, 1),
    ]) {
      const d = headerWords(s);
      expect(withIncomingWaiting(d, s)).toEqual(d);
    }
    expect(withIncomingWaiting(headerWords(st({}, 0)), st({}, 0)).label).toBe('Up to date');
  });

  it('the review lists what changes (a file already the same is no change)', () => {
    expect(reviewItems({ incoming: [item('zsh/.zshrc', 'replaces'), item('zsh/.zprofile', 'same'), item('git/.gitconfig', 'both-changed')] }).map((i) => i.path)).toEqual([
      'git/.gitconfig',
      'zsh/.zshrc',
    ]);
  });
});

describe("this machine's classes", () => {
  /** The schema's answer for a list: null when it is valid. */
  const schema = (classes: string[]) => {
    const r = MachineSettings.safeParse({ classes });
    return r.success ? null : describeZodError(r.error);
  };

  it('splits what is typed, by commas or spaces, and writes it back with commas', () => {
    expect(splitClasses(' work,laptop  home ,, ')).toEqual(['work', 'laptop', 'home']);
    expect(splitClasses('')).toEqual([]);
    expect(classesText(['work', 'laptop'])).toBe('work, laptop');
  });

  it('agrees with the settings schema on what is valid', () => {
    const cases: string[][] = [
      [],
      ['work'],
      ['work', 'laptop', 'a.b_c-d', 'X9'],
      ['laptop!'],
      ['ünïcode'],
      ['a'.repeat(32)],
      ['a'.repeat(33)],
      Array.from({ length: MAX_CLASSES }, (_, i) => `c${i}`),
      Array.from({ length: MAX_CLASSES + 1 }, (_, i) => `c${i}`),
    ];
    for (const c of cases) expect(classesError(c) === null, JSON.stringify(c)).toBe(schema(c) === null);
    // Full settings too: the General tab sends machine.classes inside one patch.
    expect(Settings.safeParse({ machine: { classes: ['work', 'laptop'] } }).success).toBe(true);
  });

  it('says what is wrong in words, naming the class', () => {
    expect(classesError(['work', 'laptop!'])).toBe('“laptop!”: letters, digits, dot, underscore and dash only.');
    expect(classesError(['a'.repeat(40)])).toBe('“aaaaaaaaaaaa…”: at most 32 characters.');
    expect(classesError(Array.from({ length: 33 }, (_, i) => `c${i}`))).toBe('At most 32 classes.');
    // The engine compares classes without case: the same class twice is refused here.
    expect(classesError(['work', 'Work'])).toBe('“Work” is there twice (classes are the same in upper and lower case).');
  });

  it("the host's refusal at the field, naming the class by its place", () => {
    const msg = '/c/config.json: key "machine.classes.1": machine.classes.1: letters, digits, dot, underscore and dash only';
    expect(hostClassesError(msg, ['work', 'bad!'])).toBe('“bad!”: letters, digits, dot, underscore and dash only.');
    expect(hostClassesError('machine.classes: Too big: expected array to have <=32 items', [])).toBe('At most 32 classes.');
    expect(hostClassesError('sync.intervalSec: Too small: expected number to be >=10', ['work'])).toBeNull();
  });
});
