/**
 * The menu-bar popover: a small frameless window next to the tray icon.
 *
 * - Toggle on tray click.
 * - Hide on blur after `blurDelayMs` (150 ms). The delay is cancelled when the window is focused again
 *   or the tray is clicked: clicking the tray while the popover is open blurs it first, and without the
 *   delay the click would see a hidden popover and open it again. A click that lands just after a
 *   blur-hide (Windows delivers the click on mouse-up) closes rather than reopens, for the same reason.
 * - Position: `popoverPosition` (pure): integer coordinates, centred under the tray icon for top bars
 *   (macOS, most Linux panels), above it when the tray sits in the bottom half (Windows taskbar),
 *   clamped inside the work area; when the tray cannot report its bounds (Linux AppIndicator gives
 *   zeros) the popover goes to the work area's top-right (bottom-right on Windows).
 * - Bounds: only the size matters (the position follows the tray), saved to settings.ui.popoverBounds
 *   when it changes.
 */
import type { Rectangle } from 'electron';
import type { Settings, SettingsPatch } from '../../shared/settings.js';
import { realTimers, type Timers } from './timers.js';
import { POPOVER_SIZE } from './window-factory.js';

export interface Size {
  width: number;
  height: number;
}

/** Gap between the tray and the popover, and from screen edges in the fallback placement. */
export const POPOVER_MARGIN = 4;

function clamp(v: number, min: number, max: number): number {
  return max < min ? min : Math.min(Math.max(v, min), max);
}

export function popoverPosition(tray: Rectangle, size: Size, workArea: Rectangle, platform: NodeJS.Platform): { x: number; y: number } {
  const w = Math.round(size.width);
  const h = Math.round(size.height);
  const minX = workArea.x;
  const maxX = workArea.x + workArea.width - w;
  const minY = workArea.y;
  const maxY = workArea.y + workArea.height - h;
  let x: number;
  let y: number;
  if (tray.width <= 0 || tray.height <= 0) {
    x = maxX - POPOVER_MARGIN;
    y = platform === 'win32' ? maxY - POPOVER_MARGIN : minY + POPOVER_MARGIN;
  } else {
    const cx = tray.x + tray.width / 2;
    const cy = tray.y + tray.height / 2;
    const bottom = cy > workArea.y + workArea.height / 2;
    x = cx - w / 2;
    y = bottom ? tray.y - h - (platform === 'darwin' ? 0 : POPOVER_MARGIN) : tray.y + tray.height + (platform === 'darwin' ? 0 : POPOVER_MARGIN);
    // Side taskbars (Windows, left or right): open beside the tray instead of over it.
    if (tray.x + tray.width <= workArea.x) x = workArea.x + POPOVER_MARGIN;
    else if (tray.x >= workArea.x + workArea.width) x = workArea.x + workArea.width - w - POPOVER_MARGIN;
  }
  return { x: Math.round(clamp(x, minX, maxX)), y: Math.round(clamp(y, minY, maxY)) };
}

/** The part of BrowserWindow the popover uses. */
export interface PopoverWindowLike {
  isDestroyed(): boolean;
  isVisible(): boolean;
  show(): void;
  hide(): void;
  focus(): void;
  setPosition(x: number, y: number): void;
  getSize(): number[];
  on(event: 'blur' | 'focus' | 'closed' | 'resized', listener: () => void): unknown;
}

export interface PopoverDeps<W extends PopoverWindowLike> {
  /** Creates the window (secure factory + load). `size` from settings or the default. */
  create(size: Size): W;
  trayBounds(): Rectangle;
  /** The work area of the display the tray is on. */
  workAreaFor(tray: Rectangle): Rectangle;
  settings: { get(): Settings; update(patch: SettingsPatch): unknown };
  platform: NodeJS.Platform;
  timers?: Timers;
  blurDelayMs?: number;
  onError?: (e: unknown) => void;
}

export class PopoverWindow<W extends PopoverWindowLike = PopoverWindowLike> {
  private win: W | null = null;
  private blurTimer: unknown = null;
  private hiddenByBlurAt = -Infinity;
  private readonly timers: Timers;
  private readonly blurDelayMs: number;

  constructor(private readonly deps: PopoverDeps<W>) {
    this.timers = deps.timers ?? realTimers;
    this.blurDelayMs = deps.blurDelayMs ?? 150;
  }

  get window(): W | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  isVisible(): boolean {
    return !!this.window?.isVisible();
  }

  /** Creates the window now (hidden) so the first click shows it without a load delay. */
  ensure(): W {
    const existing = this.window;
    if (existing) return existing;
    const saved = this.deps.settings.get().ui.popoverBounds;
    const size = saved ? { width: saved.width, height: saved.height } : { ...POPOVER_SIZE };
    const win = this.deps.create(size);
    win.on('blur', () => this.onBlur());
    win.on('focus', () => this.cancelBlurHide());
    win.on('resized', () => this.saveSize());
    win.on('closed', () => {
      this.cancelBlurHide();
      if (this.win === win) this.win = null;
    });
    this.win = win;
    return win;
  }

  /** Tray click. */
  toggle(): void {
    const pendingBlurHide = this.blurTimer !== null;
    this.cancelBlurHide();
    if (this.isVisible()) {
      this.hide();
      return;
    }
    // The click that blurred us a moment ago (and already hid us) means "close", not "reopen".
    if (pendingBlurHide || this.timers.now() - this.hiddenByBlurAt < this.blurDelayMs * 2) {
      this.hiddenByBlurAt = -Infinity;
      return;
    }
    this.show();
  }

  show(): void {
    this.cancelBlurHide();
    const win = this.ensure();
    const tray = this.deps.trayBounds();
    const [width, height] = win.getSize();
    const pos = popoverPosition(tray, { width, height }, this.deps.workAreaFor(tray), this.deps.platform);
    win.setPosition(pos.x, pos.y);
    win.show();
    win.focus();
  }

  hide(): void {
    this.cancelBlurHide();
    const win = this.window;
    if (win?.isVisible()) win.hide();
  }

  private onBlur(): void {
    this.cancelBlurHide();
    this.blurTimer = this.timers.setTimeout(() => {
      this.blurTimer = null;
      if (!this.isVisible()) return;
      this.hiddenByBlurAt = this.timers.now();
      this.window?.hide();
    }, this.blurDelayMs);
  }

  private cancelBlurHide(): void {
    if (this.blurTimer !== null) this.timers.clearTimeout(this.blurTimer);
    this.blurTimer = null;
  }

  private saveSize(): void {
    const win = this.window;
    if (!win) return;
    const [width, height] = win.getSize();
    const saved = this.deps.settings.get().ui.popoverBounds;
    if (saved && saved.width === width && saved.height === height) return;
    try {
      this.deps.settings.update({ ui: { popoverBounds: { x: saved?.x ?? 0, y: saved?.y ?? 0, width, height } } });
    } catch (e) {
      this.deps.onError?.(e);
    }
  }
}
