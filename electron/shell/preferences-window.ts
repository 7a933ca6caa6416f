/**
 * The Preferences window: one instance at a time. `show(tab?)` creates it or brings it to the front and
 * asks the page to switch tabs (`ui:show-tab` push). Bounds are remembered in settings.ui.preferencesBounds
 * when moved/resized (debounced) and on close; saved bounds that no longer overlap any display (a
 * monitor was unplugged) are ignored and the window is centred.
 */
import type { Rectangle } from 'electron';
import type { Settings, SettingsPatch } from '../../shared/settings.js';
import { realTimers, type Timers } from './timers.js';

export interface PreferencesWindowLike {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
  getBounds(): Rectangle;
  on(event: 'closed' | 'close' | 'moved' | 'resized', listener: () => void): unknown;
  webContents: {
    isLoading(): boolean;
    once(event: 'did-finish-load', listener: () => void): unknown;
    send(channel: string, ...args: unknown[]): void;
  };
}

export interface PreferencesDeps<W extends PreferencesWindowLike> {
  create(bounds: Rectangle | null): W;
  settings: { get(): Settings; update(patch: SettingsPatch): unknown };
  /** Work areas of the connected displays. */
  workAreas(): Rectangle[];
  /** Bring the app to the front (macOS agent apps need app.focus({ steal: true })). */
  activateApp?(): void;
  timers?: Timers;
  saveDelayMs?: number;
  onError?: (e: unknown) => void;
}

/** True when at least `min` px of the bounds (both ways) lie on one of the work areas. */
export function boundsVisible(bounds: Rectangle, workAreas: Rectangle[], min = 48): boolean {
  return workAreas.some((a) => {
    const w = Math.min(bounds.x + bounds.width, a.x + a.width) - Math.max(bounds.x, a.x);
    const h = Math.min(bounds.y + bounds.height, a.y + a.height) - Math.max(bounds.y, a.y);
    return w >= Math.min(min, bounds.width) && h >= Math.min(min, bounds.height);
  });
}

export class PreferencesWindow<W extends PreferencesWindowLike = PreferencesWindowLike> {
  private win: W | null = null;
  private saveTimer: unknown = null;
  private readonly timers: Timers;

  constructor(private readonly deps: PreferencesDeps<W>) {
    this.timers = deps.timers ?? realTimers;
  }

  get window(): W | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  show(tab?: string): W {
    let win = this.window;
    if (!win) win = this.open();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    this.deps.activateApp?.();
    if (tab) this.sendTab(win, tab);
    return win;
  }

  private sendTab(win: W, tab: string): void {
    const send = () => {
      if (!win.isDestroyed()) win.webContents.send('ui:show-tab', { tab });
    };
    if (win.webContents.isLoading()) win.webContents.once('did-finish-load', send);
    else send();
  }

  private open(): W {
    const saved = this.deps.settings.get().ui.preferencesBounds;
    const bounds = saved && boundsVisible(saved, this.deps.workAreas()) ? saved : null;
    const win = this.deps.create(bounds);
    const scheduleSave = () => {
      if (this.saveTimer !== null) this.timers.clearTimeout(this.saveTimer);
      this.saveTimer = this.timers.setTimeout(() => {
        this.saveTimer = null;
        this.saveBounds(win);
      }, this.deps.saveDelayMs ?? 500);
    };
    win.on('moved', scheduleSave);
    win.on('resized', scheduleSave);
    win.on('close', () => {
      if (this.saveTimer !== null) this.timers.clearTimeout(this.saveTimer);
      this.saveTimer = null;
      this.saveBounds(win);
    });
    win.on('closed', () => {
      if (this.win === win) this.win = null;
    });
    this.win = win;
    return win;
  }

  private saveBounds(win: W): void {
    if (win.isDestroyed()) return;
    const b = win.getBounds();
    const bounds = { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) };
    const saved = this.deps.settings.get().ui.preferencesBounds;
    if (saved && saved.x === bounds.x && saved.y === bounds.y && saved.width === bounds.width && saved.height === bounds.height) return;
    try {
      this.deps.settings.update({ ui: { preferencesBounds: bounds } });
    } catch (e) {
      this.deps.onError?.(e);
    }
  }
}
