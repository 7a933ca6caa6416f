import { describe, expect, it } from 'vitest';
import { trayIcon, trayView, TOOLTIP_MAX, TRAY_ICONS } from '../../../electron/shell/tray-state';
import { STATE_KINDS, stateKind } from '../../../shared/state';
import { conflict, makeState, profile } from './make-state';

const NOW = 1_700_000_000_000;
const MIN = 60_000;

describe('the tray uses the shared meanings', () => {
  it('the icon is the shared state kind, and every kind has an icon', () => {
    expect([...TRAY_ICONS].sort()).toEqual([...STATE_KINDS].sort());
    for (const s of [makeState({ phase: 'error' }), makeState({ conflicts: [conflict('a')] }), makeState({ phase: 'offline' }), makeState({ paused: true }), makeState({ phase: 'pushing' }), makeState()]) {
      expect(trayIcon(s)).toBe(stateKind(s));
    }
  });
  it('no busy-phase set of its own', () => {
  });
});

describe('trayView', () => {
  const synced = { profiles: [profile('zsh', 200), profile('git', 14), profile('off', 99, false)], repo: { lastSyncAt: NOW - 2 * MIN } };

  it('idle: time words are the shared ones (hours and days too); a last sync in the future reads "just now"', () => {
    const at = (ago: number) => trayView(makeState({ ...synced, repo: { lastSyncAt: NOW - ago } }), 'linux', NOW).tooltip;
    expect(at(59_000)).toBe('All 214 files synced · 59 s ago');
    expect(at(5 * 60 * MIN)).toBe('All 214 files synced · 5 h ago');
    expect(at(24 * 60 * MIN)).toBe('All 214 files synced · yesterday');
    expect(at(3 * 24 * 60 * MIN)).toBe('All 214 files synced · 3 days ago');
    expect(at(-5 * MIN)).toBe('All 214 files synced · just now');
  });

  it('idle with files not synced or warnings: never "All N files synced" or "Up to date"', () => {
    const skip = { path: 'zsh/.big', reason: 'too large', unsynced: true, direction: 'outgoing' as const };
    expect(trayView(makeState({ ...synced, skipped: [skip] }), 'linux', NOW).tooltip).toBe('214 files synced · 1 file not synced · 2 min ago');
    expect(trayView(makeState({ skipped: [skip, { ...skip, path: 'b' }] }), 'linux', NOW).tooltip).toBe('2 files not synced');
    const lastResult = { kind: 'nothing-to-do' as const, message: '1 warning', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 1, skipped: [skip], warnings: ['git gc failed'] };
    const v = trayView(makeState({ safeToShutDown: true, repo: { lastResult } }), 'linux', NOW).tooltip;
    expect(v).toBe('1 file not synced · 1 warning · safe to shut down');
    expect(v).not.toMatch(/up to date/i);
  });

  it('idle: file count over enabled profiles and time since the last sync', () => {
    expect(trayView(makeState(synced), 'darwin', NOW)).toEqual({
      icon: 'idle',
      tooltip: 'All 214 files synced · 2 min ago',
      title: '',
      safeToShutDown: false,
    });
  });

  it('idle + safe to shut down appends the note', () => {
    const v = trayView(makeState({ ...synced, safeToShutDown: true }), 'linux', NOW);
    expect(v.tooltip).toBe('All 214 files synced · 2 min ago · safe to shut down');
    expect(v.safeToShutDown).toBe(true);
  });

  it('idle wording for 0 and 1 files, never synced, and thousands', () => {
    expect(trayView(makeState(), 'linux', NOW).tooltip).toBe('Up to date');
    expect(trayView(makeState({ profiles: [profile('a', 1)] }), 'linux', NOW).tooltip).toBe('1 file synced');
    expect(trayView(makeState({ profiles: [profile('a', 12_345)], repo: { lastSyncAt: NOW } }), 'linux', NOW).tooltip).toBe(
      'All 12,345 files synced · just now',
    );
  });

  it('conflicts: count in words, and as the macOS title', () => {
    const s = makeState({ ...synced, conflicts: [conflict('a'), conflict('b')] });
    expect(trayView(s, 'darwin', NOW)).toMatchObject({ icon: 'conflict', tooltip: '2 conflicts need you', title: '2' });
    expect(trayView(s, 'linux', NOW).title).toBe('');
    expect(trayView(s, 'win32', NOW).title).toBe('');
    expect(trayView(makeState({ conflicts: [conflict('a')] }), 'darwin', NOW).tooltip).toBe('1 conflict needs you');
  });

  it('safe-to-shut-down is not appended to non-idle tooltips', () => {
    const s = makeState({ safeToShutDown: true, conflicts: [conflict('a')] });
    expect(trayView(s, 'darwin', NOW).tooltip).toBe('1 conflict needs you');
  });

  it('offline: commits waiting', () => {
    expect(trayView(makeState({ phase: 'offline', repo: { ahead: 3 } }), 'linux', NOW)).toMatchObject({ icon: 'offline', tooltip: 'Offline: 3 commits waiting' });
    expect(trayView(makeState({ phase: 'offline', repo: { ahead: 1 } }), 'linux', NOW).tooltip).toBe('Offline: 1 commit waiting');
    expect(trayView(makeState({ phase: 'offline' }), 'linux', NOW).tooltip).toBe('Offline');
  });

  it('paused (flag or phase), stopped', () => {
    expect(trayView(makeState({ paused: true }), 'linux', NOW)).toMatchObject({ icon: 'paused', tooltip: 'Paused' });
    expect(trayView(makeState({ phase: 'paused', paused: true }), 'linux', NOW)).toMatchObject({ icon: 'paused', tooltip: 'Paused' });
    expect(trayView(makeState({ phase: 'stopped' }), 'linux', NOW)).toMatchObject({ icon: 'paused', tooltip: 'Stopped' });
  });

  it.each(['scanning', 'committing', 'pulling', 'applying', 'pushing'] as const)('syncing phase %s', (phase) => {
    expect(trayView(makeState({ phase }), 'darwin', NOW)).toMatchObject({ icon: 'syncing', tooltip: 'Syncing…' });
  });

  it('starting shows the syncing icon with its own words', () => {
    expect(trayView(makeState({ phase: 'starting' }), 'darwin', NOW)).toMatchObject({ icon: 'syncing', tooltip: 'Starting…' });
  });

  it('error: config error first, then the latest error, then the last result', () => {
    expect(trayView(makeState({ phase: 'error', errors: [{ at: 1, source: 'git', message: 'push rejected' }] }), 'linux', NOW)).toMatchObject({
      icon: 'error',
      tooltip: 'Error: push rejected',
    });
    expect(trayView(makeState({ configError: 'config.json: key "sync.intervalSec": too small' }), 'linux', NOW).tooltip).toBe(
      'Error: config.json: key "sync.intervalSec": too small',
    );
    const lastResult = { kind: 'auth-failed' as const, message: 'authentication failed', committed: 0, applied: 0, pushed: false, conflicts: 0, at: 1, skipped: [], warnings: [] };
    expect(trayView(makeState({ phase: 'error', repo: { lastResult } }), 'linux', NOW).tooltip).toBe('Error: authentication failed');
    expect(trayView(makeState({ phase: 'error' }), 'linux', NOW).tooltip).toBe('Error: something went wrong');
  });

  it('long error messages are cut to the Windows tooltip limit, on one line', () => {
    const message = 'fatal: ' + 'x'.repeat(300) + '\nsecond line';
    const v = trayView(makeState({ phase: 'error', errors: [{ at: 1, source: 'git', message }] }), 'win32', NOW);
    expect(v.tooltip.length).toBe(TOOLTIP_MAX);
    expect(v.tooltip.endsWith('…')).toBe(true);
    expect(v.tooltip).not.toContain('\n');
  });

  it('priority: error > conflict > offline > paused > syncing > idle', () => {
    const all = { conflicts: [conflict('a')], paused: true, repo: { ahead: 2 } };
    expect(trayView(makeState({ ...all, phase: 'error' }), 'darwin', NOW).icon).toBe('error');
    expect(trayView(makeState({ ...all, phase: 'offline' }), 'darwin', NOW).icon).toBe('conflict');
    expect(trayView(makeState({ paused: true, phase: 'offline' }), 'darwin', NOW).icon).toBe('offline');
    expect(trayView(makeState({ paused: true, phase: 'pushing' }), 'darwin', NOW).icon).toBe('paused');
    expect(trayView(makeState({ phase: 'pushing' }), 'darwin', NOW).icon).toBe('syncing');
    // The conflict count stays in the macOS title even when the icon says error.
    expect(trayView(makeState({ ...all, phase: 'error' }), 'darwin', NOW).title).toBe('1');
  });
});
