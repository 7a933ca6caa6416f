import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Rectangle } from 'electron';
import { boundsVisible, PreferencesWindow, type PreferencesWindowLike } from '../../../electron/shell/preferences-window';
import { defaultSettings, type SettingsPatch } from '../../../shared/settings';
import { mergePatch } from '../../../electron/engine/config/settings-store';

class FakePrefs implements PreferencesWindowLike {
  destroyed = false;
  minimized = false;
  shown = 0;
  loading = true;
  bounds: Rectangle;
  handlers: Record<string, Array<() => void>> = {};
  sent: Array<[string, unknown]> = [];
  onLoad: Array<() => void> = [];
  webContents = {
    isLoading: () => this.loading,
    once: (_e: 'did-finish-load', fn: () => void) => {
      this.onLoad.push(fn);
    },
    send: (channel: string, payload: unknown) => {
      this.sent.push([channel, payload]);
    },
  };
  constructor(b: Rectangle | null) {
    this.bounds = b ?? { x: 100, y: 100, width: 820, height: 600 };
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  show() {
    this.shown++;
  }
  focus() {}
  getBounds() {
    return this.bounds;
  }
  on(e: string, fn: () => void) {
    (this.handlers[e] ??= []).push(fn);
  }
  emit(e: string) {
    for (const fn of this.handlers[e] ?? []) fn();
  }
  finishLoad() {
    this.loading = false;
    for (const fn of this.onLoad.splice(0)) fn();
  }
}

function setup(saved: Rectangle | null = null) {
  let current = mergePatch(defaultSettings(), { ui: { preferencesBounds: saved } });
  const settings = {
    get: () => current,
    update: vi.fn((p: SettingsPatch) => (current = mergePatch(current, p))),
  };
  const created: Array<{ w: FakePrefs; bounds: Rectangle | null }> = [];
  const activateApp = vi.fn();
  const prefs = new PreferencesWindow<FakePrefs>({
    create: (bounds) => {
      const w = new FakePrefs(bounds);
      created.push({ w, bounds });
      return w;
    },
    settings,
    workAreas: () => [{ x: 0, y: 25, width: 1440, height: 875 }],
    activateApp,
  });
  return { prefs, created, settings, activateApp };
}

describe('PreferencesWindow', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('one instance: show twice reuses the window and brings it forward', () => {
    const { prefs, created, activateApp } = setup();
    prefs.show();
    prefs.show();
    expect(created).toHaveLength(1);
    expect(created[0].w.shown).toBe(2);
    expect(activateApp).toHaveBeenCalledTimes(2);
  });

  it('show(tab) on a fresh window waits for the load, then sends ui:show-tab', () => {
    const { prefs, created } = setup();
    prefs.show('conflicts');
    expect(created[0].w.sent).toEqual([]);
    created[0].w.finishLoad();
    expect(created[0].w.sent).toEqual([['ui:show-tab', { tab: 'conflicts' }]]);
    prefs.show('history');
    expect(created[0].w.sent.at(-1)).toEqual(['ui:show-tab', { tab: 'history' }]);
  });

  it('restores a minimised window', () => {
    const { prefs, created } = setup();
    prefs.show();
    created[0].w.minimized = true;
    prefs.show();
    expect(created[0].w.minimized).toBe(false);
  });

  it('a closed window is replaced by a new one', () => {
    const { prefs, created } = setup();
    prefs.show();
    created[0].w.destroyed = true;
    created[0].w.emit('closed');
    prefs.show();
    expect(created).toHaveLength(2);
  });

  it('remembers bounds (debounced on move/resize, and on close) and reopens with them', () => {
    const { prefs, created, settings } = setup();
    prefs.show();
    const w = created[0].w;
    w.bounds = { x: 200, y: 150, width: 900, height: 640 };
    w.emit('moved');
    w.emit('resized');
    expect(settings.update).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    expect(settings.update).toHaveBeenCalledOnce();
    expect(settings.get().ui.preferencesBounds).toEqual({ x: 200, y: 150, width: 900, height: 640 });
    w.emit('close'); // same bounds: no second write
    expect(settings.update).toHaveBeenCalledOnce();
    w.destroyed = true;
    w.emit('closed');
    prefs.show();
    expect(created[1].bounds).toEqual({ x: 200, y: 150, width: 900, height: 640 });
  });

  it('ignores saved bounds that are off every display', () => {
    const { prefs, created } = setup({ x: 3000, y: 100, width: 800, height: 600 });
    prefs.show();
    expect(created[0].bounds).toBeNull();
  });
});

describe('boundsVisible', () => {
  const screens = [
    { x: 0, y: 0, width: 1440, height: 900 },
    { x: 1440, y: 0, width: 1920, height: 1080 },
  ];
  it('on a display, on the second display, partly off-screen but grabbable', () => {
    expect(boundsVisible({ x: 100, y: 100, width: 800, height: 600 }, screens)).toBe(true);
    expect(boundsVisible({ x: 2000, y: 100, width: 800, height: 600 }, screens)).toBe(true);
    expect(boundsVisible({ x: -700, y: 100, width: 800, height: 600 }, screens)).toBe(true);
  });
  it('off every display, or only a sliver on one', () => {
    expect(boundsVisible({ x: 4000, y: 100, width: 800, height: 600 }, screens)).toBe(false);
    expect(boundsVisible({ x: -790, y: 100, width: 800, height: 600 }, screens)).toBe(false);
  });
});
