import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Rectangle } from 'electron';
import { popoverPosition, PopoverWindow, POPOVER_MARGIN, type PopoverWindowLike } from '../../../electron/shell/popover-window';
import { defaultSettings, type Settings, type SettingsPatch } from '../../../shared/settings';
import { mergePatch } from '../../../electron/engine/config/settings-store';

const size = { width: 360, height: 520 };

describe('popoverPosition', () => {
  it('macOS menu bar: centred under the icon, right below the bar', () => {
    const tray = { x: 1200, y: 0, width: 24, height: 24 };
    const workArea = { x: 0, y: 25, width: 1440, height: 875 };
    expect(popoverPosition(tray, size, workArea, 'darwin')).toEqual({ x: 1032, y: 25 });
  });

  it('Linux top panel: below the icon with a small gap', () => {
    const tray = { x: 1500, y: 0, width: 22, height: 28 };
    const workArea = { x: 0, y: 28, width: 1920, height: 1052 };
    expect(popoverPosition(tray, size, workArea, 'linux')).toEqual({ x: 1331, y: 28 + POPOVER_MARGIN });
  });

  it('Windows bottom taskbar: above the icon', () => {
    const tray = { x: 1700, y: 1040, width: 24, height: 40 };
    const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
    const p = popoverPosition(tray, size, workArea, 'win32');
    expect(p).toEqual({ x: 1532, y: 1040 - 520 - POPOVER_MARGIN });
    expect(p.y + size.height).toBeLessThanOrEqual(workArea.y + workArea.height);
  });

  it('clamps into the work area near the right edge', () => {
    const tray = { x: 1900, y: 1040, width: 20, height: 40 };
    const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
    expect(popoverPosition(tray, size, workArea, 'win32')).toEqual({ x: 1920 - 360, y: 516 });
  });

  it('clamps near the left edge and on a secondary display with negative coordinates', () => {
    const tray = { x: -1910, y: 0, width: 24, height: 24 };
    const workArea = { x: -1920, y: 25, width: 1920, height: 1055 };
    expect(popoverPosition(tray, size, workArea, 'darwin')).toEqual({ x: -1920, y: 25 });
  });

  it('Windows taskbar on the left: beside the tray, inside the work area', () => {
    const tray = { x: 10, y: 900, width: 24, height: 24 };
    const workArea = { x: 48, y: 0, width: 1872, height: 1080 };
    const p = popoverPosition(tray, size, workArea, 'win32');
    expect(p.x).toBe(48 + POPOVER_MARGIN);
    expect(p.y + size.height).toBeLessThanOrEqual(1080);
    expect(p.y).toBeGreaterThanOrEqual(0);
  });

  it('always integers, even from fractional (scaled) bounds', () => {
    const tray = { x: 1200.5, y: 0, width: 22.25, height: 24.5 };
    const workArea = { x: 0, y: 24.5, width: 1440.5, height: 875.25 };
    const p = popoverPosition(tray, { width: 360.4, height: 519.6 }, workArea, 'linux');
    expect(Number.isInteger(p.x)).toBe(true);
    expect(Number.isInteger(p.y)).toBe(true);
  });

  it('unknown tray bounds (zeros from AppIndicator): top-right, or bottom-right on Windows', () => {
    const zero = { x: 0, y: 0, width: 0, height: 0 };
    const workArea = { x: 0, y: 28, width: 1920, height: 1052 };
    expect(popoverPosition(zero, size, workArea, 'linux')).toEqual({ x: 1920 - 360 - POPOVER_MARGIN, y: 28 + POPOVER_MARGIN });
    expect(popoverPosition(zero, size, workArea, 'win32')).toEqual({ x: 1920 - 360 - POPOVER_MARGIN, y: 28 + 1052 - 520 - POPOVER_MARGIN });
  });

  it('a window larger than the work area starts at its top-left', () => {
    const tray = { x: 500, y: 0, width: 24, height: 24 };
    const workArea = { x: 0, y: 25, width: 300, height: 400 };
    expect(popoverPosition(tray, size, workArea, 'darwin')).toEqual({ x: 0, y: 25 });
  });
});

class FakeWindow implements PopoverWindowLike {
  visible = false;
  destroyed = false;
  position: [number, number] | null = null;
  size: [number, number];
  handlers: Record<string, Array<() => void>> = {};
  constructor(s: { width: number; height: number }) {
    this.size = [s.width, s.height];
  }
  isDestroyed() {
    return this.destroyed;
  }
  isVisible() {
    return this.visible;
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  setPosition(x: number, y: number) {
    this.position = [x, y];
  }
  getSize() {
    return this.size;
  }
  on(event: string, fn: () => void) {
    (this.handlers[event] ??= []).push(fn);
  }
  emit(event: string) {
    for (const fn of this.handlers[event] ?? []) fn();
  }
}

function fakeSettings(initial: Settings = defaultSettings()) {
  let current = initial;
  return {
    get: () => current,
    update: vi.fn((patch: SettingsPatch) => {
      current = mergePatch(current, patch);
      return current;
    }),
  };
}

describe('PopoverWindow', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(settings = fakeSettings()) {
    const created: FakeWindow[] = [];
    const trayBounds: Rectangle = { x: 1200, y: 0, width: 24, height: 24 };
    const popover = new PopoverWindow<FakeWindow>({
      create: (s) => {
        const w = new FakeWindow(s);
        created.push(w);
        return w;
      },
      trayBounds: () => trayBounds,
      workAreaFor: () => ({ x: 0, y: 25, width: 1440, height: 875 }),
      settings,
      platform: 'darwin',
      timers: { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) },
      blurDelayMs: 150,
    });
    return { popover, created, settings };
  }

  it('toggle shows at the computed position, toggles again to hide; one window reused', () => {
    const { popover, created } = setup();
    popover.toggle();
    expect(created).toHaveLength(1);
    expect(created[0].visible).toBe(true);
    expect(created[0].position).toEqual([1032, 25]);
    popover.toggle();
    expect(created[0].visible).toBe(false);
    vi.advanceTimersByTime(1000);
    popover.toggle();
    expect(created).toHaveLength(1);
    expect(created[0].visible).toBe(true);
  });

  it('hides on blur only after the delay', () => {
    const { popover, created } = setup();
    popover.show();
    created[0].emit('blur');
    vi.advanceTimersByTime(149);
    expect(created[0].visible).toBe(true);
    vi.advanceTimersByTime(1);
    expect(created[0].visible).toBe(false);
  });

  it('refocusing within the delay cancels the hide', () => {
    const { popover, created } = setup();
    popover.show();
    created[0].emit('blur');
    vi.advanceTimersByTime(100);
    created[0].emit('focus');
    vi.advanceTimersByTime(1000);
    expect(created[0].visible).toBe(true);
  });

  it('clicking the tray while open (which blurs first) closes it once, without reopening', () => {
    const { popover, created } = setup();
    popover.show();
    created[0].emit('blur'); // mouse-down on the tray
    vi.advanceTimersByTime(50);
    popover.toggle(); // the click
    expect(created[0].visible).toBe(false);
    vi.advanceTimersByTime(1000); // the cancelled blur-hide does nothing further
    expect(created[0].visible).toBe(false);
  });

  it('a tray click arriving just after a blur-hide closes rather than reopens (Windows mouse-up)', () => {
    const { popover, created } = setup();
    popover.show();
    created[0].emit('blur');
    vi.advanceTimersByTime(150);
    expect(created[0].visible).toBe(false);
    vi.advanceTimersByTime(60);
    popover.toggle();
    expect(created[0].visible).toBe(false);
    // A later, deliberate click opens it.
    vi.advanceTimersByTime(1000);
    popover.toggle();
    expect(created[0].visible).toBe(true);
  });

  it('remembers its size in settings.ui.popoverBounds and opens with it next time', () => {
    const { popover, created, settings } = setup();
    popover.show();
    created[0].size = [400, 600];
    created[0].emit('resized');
    expect(settings.get().ui.popoverBounds).toMatchObject({ width: 400, height: 600 });
    created[0].emit('resized');
    expect(settings.update).toHaveBeenCalledTimes(1); // unchanged size: no write
    created[0].destroyed = true;
    created[0].emit('closed');
    popover.show();
    expect(created).toHaveLength(2);
    expect(created[1].size).toEqual([400, 600]);
  });

  it('a settings write failure (invalid config file) is reported, not thrown', () => {
    const settings = fakeSettings();
    settings.update.mockImplementation(() => {
      throw new Error('cannot save settings while the file is invalid');
    });
    const onError = vi.fn();
    const created: FakeWindow[] = [];
    const popover = new PopoverWindow<FakeWindow>({
      create: (s) => (created.push(new FakeWindow(s)), created.at(-1)!),
      trayBounds: () => ({ x: 0, y: 0, width: 0, height: 0 }),
      workAreaFor: () => ({ x: 0, y: 0, width: 800, height: 600 }),
      settings,
      platform: 'linux',
      onError,
    });
    popover.show();
    created[0].size = [300, 300];
    expect(() => created[0].emit('resized')).not.toThrow();
    expect(onError).toHaveBeenCalledOnce();
  });
});
