/**
 * Ignored and machine-local keys, end to end, with two machines that have distinct host names
 * (laptop-a, desk-b) and one bare remote: a binary plist with churn keys (a window frame, Sparkle's
 * last check) and a VS Code settings.json (JSONC) with a machine-local zoom level.
 * What the person sees: no commit for churn alone, a real setting arriving beside churn on the other
 * machine with no conflict, and each machine keeping its own window frame and zoom level.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Machine, bareRemote, git } from '../../helpers/machine';
import { decodePlist, encodePlist } from '../../../electron/engine/km/plist-codec';
import type { PlistValue } from '../../../electron/engine/km/types';

const PLIST = 'Library/Preferences/com.knollsoft.Rectangle.plist';
const VSCODE = '.config/Code/User/settings.json';
const RECT = { name: 'rect', paths: [`~/${PLIST}`], ignoreKeys: ['NSWindow Frame *', 'SU*', '*LastLaunch*'], app: 'Rectangle' };
const CODE = { name: 'code', paths: [`~/${VSCODE}`], localKeys: ['window.zoomLevel'] };

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

function machine(name: string, remote: string): Machine {
  const m = new Machine(name, { remote, profiles: [] });
  open.push(m);
  return m;
}

function plistOf(m: Machine): Record<string, PlistValue> {
  return decodePlist(readFileSync(m.path(PLIST))).value as Record<string, PlistValue>;
}

function writePlist(m: Machine, v: Record<string, PlistValue>): void {
  m.write(PLIST, encodePlist(v, 'binary'));
}

const remoteHas = (remote: string, path: string) => git(remote, 'show', `main:${path}`);

describe('ignored and machine-local keys', () => {
  it('churn alone makes no commit; a real change arrives beside churn; each machine keeps its own window frame', async () => {
    const remote = bareRemote();
    const a = machine('laptop-a', remote);
    writePlist(a, { 'NSWindow Frame Main': '0 0 800 600', SULastCheckTime: new Date('2026-12-01T10:00:00Z'), gapSize: 5, snapEdgeMarginTop: 0 });
    await a.open();
    await a.invoke('profiles:save', { profile: RECT });
    await a.invoke('profiles:set-enabled', { name: 'rect', enabled: true });
    await a.sync();
    const inRepo = decodePlist(execFileSync('git', ['-C', remote, 'show', `main:rect/${PLIST}`]));
    expect(inRepo.value).toEqual({ gapSize: 5, snapEdgeMarginTop: 0 });
    expect(remoteHas(remote, `rect/${PLIST}`)).not.toContain('NSWindow Frame');

    // desk-b joins with its own window frame and an older check time: no conflict, nothing replaced.
    const b = machine('desk-b', remote);
    writePlist(b, { 'NSWindow Frame Main': '50 50 300 200', SULastCheckTime: new Date('2025-01-01T00:00:00Z'), gapSize: 5, snapEdgeMarginTop: 0 });
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'rect', enabled: true });
    const joined = await b.sync();
    expect(joined.conflicts).toBe(0);
    expect(plistOf(b)['NSWindow Frame Main']).toBe('50 50 300 200');
    expect(b.engine.store.getState().conflicts).toEqual([]);

    // Churn alone on laptop-a: no commit.
    const before = git(remote, 'rev-parse', 'main').trim();
    writePlist(a, { ...plistOf(a), 'NSWindow Frame Main': '1 1 900 700', SULastCheckTime: new Date('2026-12-04T09:00:00Z'), appLastLaunchTime: 99 });
    await a.sync();
    expect(git(a.repo, 'status', '--porcelain')).toBe(''); // nothing pending, and no synced file shown as deleted
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(before);

    // A real setting on each machine, each beside churn: a clean merge, and each keeps its own frame.
    writePlist(a, { ...plistOf(a), gapSize: 7, 'NSWindow Frame Main': '2 2 901 701' });
    writePlist(b, { ...plistOf(b), snapEdgeMarginTop: 10, 'NSWindow Frame Main': '60 60 310 210' });
    await a.sync();
    const merged = await b.sync();
    expect(merged.conflicts).toBe(0);
    await a.sync();
    expect(plistOf(a)).toMatchObject({ gapSize: 7, snapEdgeMarginTop: 10, 'NSWindow Frame Main': '2 2 901 701', appLastLaunchTime: 99 });
    expect(plistOf(b)).toMatchObject({ gapSize: 7, snapEdgeMarginTop: 10, 'NSWindow Frame Main': '60 60 310 210' });
    expect(plistOf(b)['appLastLaunchTime']).toBeUndefined(); // laptop-a's churn never crossed
    expect(a.engine.store.getState().conflicts).toEqual([]);
    expect(b.engine.store.getState().conflicts).toEqual([]);
    // The remote never held a window frame.
    const log = git(remote, 'log', '-p', '--text', 'main', '--', `rect/${PLIST}`);
    expect(log).not.toMatch(/NSWindow Frame|SULastCheckTime|LastLaunch/);
    // The binary plist stays binary on each machine.
    expect(decodePlist(readFileSync(b.path(PLIST))).format).toBe('binary');
  });

  it('a JSONC settings file with a machine-local key: comments kept, each machine keeps its zoom, edits converge', async () => {
    const remote = bareRemote();
    const a = machine('laptop-a', remote);
    a.write(VSCODE, '{\n  // fonts\n  "editor.fontSize": 14,\n  "window.zoomLevel": 2,\n}\n');
    await a.open();
    await a.invoke('profiles:save', { profile: CODE });
    await a.invoke('profiles:set-enabled', { name: 'code', enabled: true });
    await a.sync();
    expect(remoteHas(remote, `code/${VSCODE}`)).toBe('{\n  // fonts\n  "editor.fontSize": 14,\n}\n');

    const b = machine('desk-b', remote);
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'code', enabled: true });
    await b.sync();
    // A machine that never had the key gets the shared settings, not laptop-a's zoom.
    expect(b.read(VSCODE)).toBe('{\n  // fonts\n  "editor.fontSize": 14,\n}\n');
    b.write(VSCODE, '{\n  // fonts\n  "editor.fontSize": 14,\n  "window.zoomLevel": -1,\n}\n');
    await b.sync();
    expect(remoteHas(remote, `code/${VSCODE}`)).not.toContain('zoomLevel');

    // A shared edit on desk-b arrives on laptop-a; laptop-a keeps its own zoom.
    b.write(VSCODE, '{\n  // fonts\n  "editor.fontSize": 16,\n  "window.zoomLevel": -1,\n}\n');
    await b.sync();
    await a.sync();
    expect(a.read(VSCODE)).toBe('{\n  // fonts\n  "editor.fontSize": 16,\n  "window.zoomLevel": 2,\n}\n');
    expect(b.read(VSCODE)).toContain('"window.zoomLevel": -1');
    // Zoom alone is no change: no commit.
    const before = git(remote, 'rev-parse', 'main').trim();
    a.write(VSCODE, '{\n  // fonts\n  "editor.fontSize": 16,\n  "window.zoomLevel": 3,\n}\n');
    await a.sync();
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(before);
    expect(a.engine.store.getState().conflicts).toEqual([]);
    expect(b.engine.store.getState().conflicts).toEqual([]);
  });
});

describe('the catalog says what it ships', () => {
  it('lists each entry with its ignored keys, app and applyWhen', async () => {
    const m = new Machine('laptop-a', { profiles: [] });
    open.push(m);
    await m.open();
    const cat = await m.invoke('profiles:catalog');
    const rect = cat.find((e) => e.name === 'rectangle')!;
    expect(rect.ignoreKeys).toContain('NSWindow Frame *');
    expect(rect.app).toBe('Rectangle');
    expect(cat.find((e) => e.name === 'iterm2')?.applyWhen).toBe('app-quit');
    expect(cat.length).toBeGreaterThanOrEqual(150);
  });
});
