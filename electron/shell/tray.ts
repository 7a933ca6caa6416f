/**
 * The tray icon. Electron objects come in through `TrayDeps` (main.ts passes `new Tray`,
 * `nativeImage.createFromPath`, `Menu.buildFromTemplate`); tests pass fakes.
 *
 * Images: macOS uses template images (`<state>Template.png`, black + alpha, recoloured by the system for
 * light/dark menu bars); Linux and Windows use coloured `<state>.png`. Each has an `@2x` sibling that
 * nativeImage picks up by itself on high-DPI screens.
 *
 * Clicks: left click toggles the popover, right click pops the context menu. On Linux clicks usually
 * never arrive (AppIndicator), so the menu is also attached with setContextMenu there.
 */
import { join } from 'node:path';
import type { Menu, MenuItemConstructorOptions, NativeImage, Rectangle } from 'electron';
import type { AppState } from '../../shared/state.js';
import { buildTrayMenu, trayMenuKey, type TrayMenuActions } from './tray-menu.js';
import { trayView, type TrayIcon, type TrayView } from './tray-state.js';

/** The part of Electron's Tray we use. */
export interface TrayLike {
  setImage(image: NativeImage): void;
  setToolTip(toolTip: string): void;
  setTitle(title: string): void;
  setContextMenu(menu: Menu | null): void;
  popUpContextMenu(menu?: Menu): void;
  getBounds(): Rectangle;
  on(event: 'click' | 'right-click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayDeps {
  createTray(image: NativeImage): TrayLike;
  loadImage(path: string): NativeImage;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  platform: NodeJS.Platform;
  /** Folder holding the tray PNGs (assets/tray, or resources/tray when packaged). */
  iconDir: string;
  now?: () => number;
}

export function trayIconFile(icon: TrayIcon, platform: NodeJS.Platform, iconDir: string): string {
  return join(iconDir, platform === 'darwin' ? `${icon}Template.png` : `${icon}.png`);
}

export class TrayController {
  readonly tray: TrayLike;
  private state: AppState;
  private view: TrayView | null = null;
  private menuKey: string | null = null;
  private menu: Menu | null = null;
  private readonly images = new Map<TrayIcon, NativeImage>();

  constructor(
    private readonly deps: TrayDeps,
    private readonly actions: TrayMenuActions & { togglePopover(): void },
    initial: AppState,
  ) {
    this.state = initial;
    const first = trayView(initial, deps.platform, this.now());
    this.tray = deps.createTray(this.image(first.icon));
    this.tray.on('click', () => this.actions.togglePopover());
    this.tray.on('right-click', () => this.tray.popUpContextMenu(this.currentMenu()));
    this.update(initial);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private image(icon: TrayIcon): NativeImage {
    let img = this.images.get(icon);
    if (!img) {
      img = this.deps.loadImage(trayIconFile(icon, this.deps.platform, this.deps.iconDir));
      if (this.deps.platform === 'darwin') img.setTemplateImage(true);
      this.images.set(icon, img);
    }
    return img;
  }

  private currentMenu(): Menu {
    const key = trayMenuKey(this.state, this.deps.platform);
    if (!this.menu || key !== this.menuKey) {
      this.menu = this.deps.buildMenu(
        buildTrayMenu(this.state, { ...this.actions, openPopover: () => this.actions.togglePopover() }, this.deps.platform),
      );
      this.menuKey = key;
    }
    return this.menu;
  }

  /** Applies a new state; touches the native tray only for what changed. */
  update(state: AppState): TrayView {
    this.state = state;
    const next = trayView(state, this.deps.platform, this.now());
    const prev = this.view;
    if (!prev || prev.icon !== next.icon) this.tray.setImage(this.image(next.icon));
    if (!prev || prev.tooltip !== next.tooltip) this.tray.setToolTip(next.tooltip);
    if (this.deps.platform === 'darwin' && (!prev || prev.title !== next.title)) this.tray.setTitle(next.title);
    if (this.deps.platform === 'linux') {
      const before = this.menu;
      const menu = this.currentMenu();
      if (menu !== before) this.tray.setContextMenu(menu);
    }
    this.view = next;
    return next;
  }

  bounds(): Rectangle {
    return this.tray.getBounds();
  }

  destroy(): void {
    this.tray.destroy();
  }
}
