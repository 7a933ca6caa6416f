/**
 * The words of the preview, diff and timeline commands (electron/cli/preview-commands.ts,
 * history-commands.ts), the key-glob checks of `profile add/set`, and the counts the tray and
 * notifications print (electron/shell/: thousands separated, real plurals, "1,234 files arrived"
 * read back as 1,234). Pure functions on made-up data; the commands themselves run in
 * test/integration/cli/preview-join.test.ts and log-keys.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { PendingDiff, SyncPreview, TimelineEntry } from '../../../shared/contract.js';
import { arrivalInfo, summarize } from '../../../electron/shell/notifications.js';
import { buildTrayMenu } from '../../../electron/shell/tray-menu.js';
import { trayView } from '../../../electron/shell/tray-state.js';
import { conflict, makeState } from '../shell/make-state.js';

process.env.CONFSYNC_NO_MAIN = '1';
const { diffsText, previewText, previewHasIncoming, unifiedDiff, tilde } = await import('../../../electron/cli/preview-commands.js');
const { changeRef, timelineText, changeText } = await import('../../../electron/cli/history-commands.js');
const { keyGlobs, keyRuleLines, UsageError } = await import('../../../electron/cli/confsync.js');

const HOME = '/home/me';
const item = (path: string, what: PendingDiff['what'], words: string) => ({ path, live: `${HOME}/${path.split('/').slice(1).join('/')}`, what, words });
const RAW = /\b[0-9a-f]{7,40}\b|\d{4}-\d\d-\d\dT|\b1[6-9]\d{11}\b/;

describe('previewText', () => {
  const preview: SyncPreview = {
    offline: null,
    joining: false,
    incoming: [item('zsh/.zshrc', 'replaces', 'arrives from the repo'), item('zsh/.zprofile', 'same', 'already the same here'), item('zsh/.zlogin', 'same', 'already the same here')],
    outgoing: [item('git/.gitconfig', 'changed', 'sent: changed here')],
    profiles: [
      { name: 'git', title: 'Git', files: 1, enabled: true, detected: true, willEnable: false },
      { name: 'vim', title: 'Vim', files: 1_234, enabled: false, detected: false, willEnable: false },
    ],
  };
  it('groups incoming and outgoing with counts, live paths under ~, same files counted, then the profiles', () => {
    expect(previewText(preview, { home: HOME })).toBe(
      [
        'From other machines, not yet applied: 1 file',
        '  ~/.zshrc  arrives from the repo',
        'From this machine, not yet sent: 1 file',
        '  ~/.gitconfig  sent: changed here',
        '2 files already the same here',
        'Profiles on here:',
        '  git  1 file in the repo',
        'Other profiles in the repo, off here (turn one on with: confsync profile enable NAME):',
        '  vim  1,234 files in the repo, not found on this machine',
      ].join('\n'),
    );
  });
  it('joining: profiles first (they decide what arrives); offline says only this side is shown; nothing at all says so', () => {
    const joining = previewText({ ...preview, joining: true, outgoing: [], profiles: [{ ...preview.profiles[0], enabled: false, willEnable: true }] }, { home: HOME });
    expect(joining.split('\n').slice(0, 3)).toEqual(['Profiles turned on here (their files are on this machine):', '  git  1 file in the repo', 'From the repo, as this machine joins: 1 file']);
    expect(previewText({ ...preview, offline: 'offline: could not resolve host', incoming: [], outgoing: [] }, { home: HOME })).toMatch(/^The remote could not be asked \(offline: could not resolve host\): this shows this machine's side only\.\nNothing to send from this machine\./);
    expect(previewText({ offline: null, joining: false, incoming: [], outgoing: [], profiles: [] }, { home: HOME })).toBe('Nothing to do: nothing to send, nothing arriving.');
  });
  it('a yes is needed only when something would arrive or a profile would be turned on', () => {
    expect(previewHasIncoming({ ...preview, incoming: [preview.incoming[1]], profiles: [] })).toBe(false);
    expect(previewHasIncoming({ ...preview, incoming: [], profiles: [{ ...preview.profiles[1], willEnable: true }] })).toBe(true);
    expect(previewHasIncoming(preview)).toBe(true);
  });
});

describe('diff words', () => {
  const d = (over: Partial<PendingDiff>): PendingDiff => ({ ...item('zsh/.zshrc', 'changed', 'sent: changed here'), direction: 'outgoing', before: 'a\nb\n', after: 'a\nc\n', binary: false, ...over });
  it('outgoing then incoming, labelled, each a unified diff without jsdiff\'s Index lines', () => {
    const text = diffsText([d({ direction: 'incoming', what: 'arrives', words: 'arrives from the repo', before: null, after: 'x\n', live: `${HOME}/.zprofile` }), d({})], HOME);
    expect(text).toBe(
      [
        'Not yet sent (changed on this machine): 1 file',
        '',
        '~/.zshrc: sent: changed here',
        '--- ~/.zshrc (in the repo)',
        '+++ ~/.zshrc (here)',
        '@@ -1,2 +1,2 @@',
        ' a',
        '-b',
        '+c',
        '',
        'Not yet applied (from other machines): 1 file',
        '',
        '~/.zprofile: arrives from the repo',
        '--- ~/.zprofile (here: not there)',
        '+++ ~/.zprofile (arriving)',
        '@@ -0,0 +1,1 @@',
        '+x',
      ].join('\n'),
    );
  });
  it('binary files and mode-only changes are said, not shown; a huge rewrite is described instead of diffed', () => {
    expect(diffsText([d({ binary: true, before: null, after: null })], HOME)).toContain('(binary file: not shown)');
    expect(diffsText([d({ before: 'same\n', after: 'same\n' })], HOME)).toContain('(the same text; only its mode or kind differs)');
    const many = (k: string) => Array.from({ length: 30_000 }, (_, i) => `${k}${i}`).join('\n');
    const huge = unifiedDiff('~/big.txt', many('a'), many('b'), { before: 'before', after: 'after' });
    expect(huge).toBe('--- ~/big.txt (before)\n+++ ~/big.txt (after)\n(too many changes to show line by line: 30,000 lines before, 30,000 lines after)');
  });
  it('tilde: home itself, paths under it, and paths elsewhere', () => {
    expect(tilde(HOME, HOME)).toBe('~');
    expect(tilde(`${HOME}/.zshrc`, HOME)).toBe('~/.zshrc');
    expect(tilde('/home/meadow/.zshrc', HOME)).toBe('/home/meadow/.zshrc');
  });
});

describe('timeline words', () => {
  const now = Date.UTC(2026, 11, 5, 12);
  const e = (over: Partial<TimelineEntry>): TimelineEntry => ({
    rev: 'a'.repeat(40),
    host: 'desk-b',
    at: now - 2 * 3600_000,
    message: 'desk-b: 2 files changed (.zshrc, .gitconfig)',
    files: [
      { path: 'zsh/.zshrc', live: `${HOME}/.zshrc`, change: 'modified' },
      { path: 'git/.gitconfig', live: null, change: 'added' },
      { path: 'vim/.vimrc', live: `${HOME}/.vimrc`, change: 'deleted' },
    ],
    ...over,
  });
  it('one block per change: number, time in words, host, what it says, files marked + ~ -; no ids or raw times', () => {
    const text = timelineText([{ entry: e({}), n: 3 }], { now, home: HOME });
    expect(text).toBe(
      [
        '3. 2 h ago on desk-b: 2 files changed (.zshrc, .gitconfig)',
        '   ~ ~/.zshrc',
        '   + git/.gitconfig (not synced on this machine)',
        '   - ~/.vimrc',
        '(+ added, ~ changed, - deleted)',
        'one change with its diffs: confsync log --show N · put its files back: confsync restore --change N',
      ].join('\n'),
    );
    expect(text).not.toMatch(RAW);
    expect(timelineText([], { now })).toBe('No changes yet.');
    expect(timelineText([{ entry: e({}), n: null }], { now, home: HOME })).toContain('changes without a number are older than the last 500: `confsync log --json` gives their revisions');
  });
  it('a change with many files lists 20 and counts the rest', () => {
    const files = Array.from({ length: 1_025 }, (_, i) => ({ path: `p/f${i}`, live: `${HOME}/f${i}`, change: 'added' as const }));
    expect(timelineText([{ entry: e({ files }), n: 1 }], { now, home: HOME })).toContain('   … and 1,005 more files');
  });
  it('one change shows its counts and each file\'s diff', () => {
    const text = changeText({ entry: e({}), files: [{ path: 'zsh/.zshrc', live: `${HOME}/.zshrc`, change: 'modified', before: 'a\n', after: 'b\n', binary: false }] }, 3, { now, home: HOME });
    expect(text).toBe(['Change 3, 2 h ago on desk-b: 2 files changed (.zshrc, .gitconfig)', '1 file: 1 changed', '', '~ ~/.zshrc', '--- ~/.zshrc (before)', '+++ ~/.zshrc (after)', '@@ -1,1 +1,1 @@', '-a', '+b'].join('\n'));
  });
  it('a change is a number (1 to 3 digits, # allowed) or a revision', () => {
    expect(changeRef('3')).toEqual({ number: 3 });
    expect(changeRef('#12')).toEqual({ number: 12 });
    expect(changeRef('a1b2c3d')).toEqual({ rev: 'a1b2c3d' });
    expect(changeRef('1234')).toEqual({ rev: '1234' });
    expect(changeRef('HEAD~2')).toEqual({ rev: 'HEAD~2' });
  });
});

describe('key globs for profile add/set', () => {
  it('duplicates dropped, order kept; blank or over-long is a usage error naming the flag', () => {
    expect(keyGlobs(['SU*', 'NSWindow Frame *', 'SU*'], '--ignore-key')).toEqual(['SU*', 'NSWindow Frame *']);
    expect(() => keyGlobs(['  '], '--ignore-key')).toThrow(UsageError);
    expect(() => keyGlobs(['  '], '--local-key')).toThrow(/--local-key needs a key glob such as "NSWindow Frame \*" or "window.zoomLevel", not an empty one/);
    expect(() => keyGlobs(['x'.repeat(501)], '--ignore-key')).toThrow(/longer than 500 characters/);
    expect(keyRuleLines({ ignoreKeys: ['SU*', 'x'] })).toEqual(['ignored keys: SU*, x', 'local keys: none']);
  });
});

describe('tray and notification counts', () => {
  it('thousands separated, with real plurals', () => {
    const s = makeState({ conflicts: Array.from({ length: 1_200 }, (_, i) => conflict(`p${i}`)) });
    expect(trayView(s, 'darwin').tooltip).toBe('1,200 conflicts need you');
    expect(trayView(s, 'darwin').title).toBe('1,200');
    expect(buildTrayMenu(s, { syncNow() {}, setPaused() {}, openPreferences() {}, openSyncFolder() {}, showLogs() {}, quit() {} }, 'darwin').find((i) => i.id === 'conflicts')?.label).toBe('Resolve 1,200 conflicts…');
    const one = makeState({ conflicts: [conflict('p')] });
    expect(trayView(one, 'darwin').tooltip).toBe('1 conflict needs you');
  });
  it('grouped notifications count with separators, and read the engine\'s "1,234 files arrived" back as 1,234', () => {
    const arrived = (body: string) => ({ kind: 'arrived' as const, title: 'Files arrived', body, tab: 'history' });
    expect(arrivalInfo(arrived('1,234 files arrived from mac-mini'))).toEqual({ files: 1234, source: 'mac-mini' });
    expect(summarize([arrived('1,234 files arrived from mac-mini'), arrived('.zshrc arrived from mac-mini')]).title).toBe('1,235 files arrived from mac-mini');
    const errors = Array.from({ length: 1_001 }, (_, i) => ({ kind: 'error' as const, title: 'Sync failed', body: `problem ${i}`, tab: 'health' }));
    const s = summarize(errors);
    expect(s.title).toBe('1,001 sync problems');
    expect(s.body.split('\n').pop()).toBe('and 998 more');
    const secrets = Array.from({ length: 2 }, () => ({ kind: 'secret' as const, title: 'Secret kept out of sync', body: 'x', tab: 'health' }));
    expect(summarize(secrets).title).toBe('2 secrets kept out of sync');
    const conflicts = Array.from({ length: 1_500 }, (_, i) => ({ kind: 'conflict' as const, title: 'A conflict', body: `f${i}`, tab: 'conflicts' }));
    expect(summarize(conflicts).title).toBe('1,500 conflicts need you');
  });
});
